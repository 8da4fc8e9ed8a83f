import { execFile } from 'node:child_process'
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { promisify } from 'node:util'
import dockerignore from '@balena/dockerignore'
import type { ParsedDockerfile } from './dockerfile.ts'
import { execForm, flag, ofKeyword, pnpmInstall, properties, words } from './dockerfile.ts'

const run = promisify(execFile)
// A CommonJS module (`module.exports = ignore`) whose types declare a default export: Node hands
// over module.exports, which TypeScript under NodeNext calls `.default`.
const ignore = dockerignore as unknown as typeof dockerignore.default

/** What a replayed image holds and how it starts, in terms of the host's temporary tree. */
export interface ReplayedImage {
  /** The host folder standing for the image's application root (the first WORKDIR, `/app`). */
  root: string
  /** The final WORKDIR, mapped into `root`. */
  workdir: string
  /** The final stage's ENV. */
  env: Record<string, string>
  /** The final CMD, in exec form. */
  command: string[]
  /** The `pnpm install` arguments the build ran, as the Dockerfile spells them. */
  install: string[]
}

/**
 * Builds the image's application tree without a daemon: every COPY from the build context, honouring
 * .dockerignore, lands where the Dockerfile puts it, and its `RUN pnpm install …` runs where the
 * Dockerfile runs it (with `--offline`: the store is warm, and no registry is needed). Everything
 * the stages copy lives under one application root, which `COPY --from=<stage> /app /app` carries
 * as a whole from the dependency stage into the final one; copies outside it (tini) are the
 * daemon's business and are checked on the parsed file instead.
 */
export async function replayImage(context: string, dockerfile: ParsedDockerfile, into: string): Promise<ReplayedImage> {
  const ig = ignore().add(readFileSync(join(context, '.dockerignore'), 'utf8').split('\n'))
  const firstWorkdir = dockerfile.stages.flatMap((s) => ofKeyword(s, 'WORKDIR'))[0]
  const appRoot = firstWorkdir ? words(firstWorkdir)[0] : undefined
  if (!appRoot?.startsWith('/')) throw new Error('the first WORKDIR must name the absolute application root')
  const host = (containerPath: string): string => {
    const rel = posix.relative(appRoot, containerPath)
    if (rel.startsWith('..') || posix.isAbsolute(rel)) throw new Error(`${containerPath} is outside ${appRoot}`)
    return join(into, rel)
  }

  let install: string[] | undefined
  let workdir = '/'
  for (const stage of dockerfile.stages) {
    workdir = '/'
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword()
      const args = words(instruction)
      if (keyword === 'WORKDIR') {
        workdir = posix.resolve(workdir, args[0] ?? '')
        mkdirSync(host(workdir), { recursive: true })
      } else if (keyword === 'COPY' && flag(instruction, 'from') !== undefined) {
        const [source, target] = args
        const inRoot = (p = '') => p === appRoot || p.startsWith(`${appRoot}/`)
        if ((inRoot(source) || inRoot(target)) && !(source === appRoot && target === appRoot)) {
          throw new Error(`the replay knows only COPY --from=<stage> ${appRoot} ${appRoot}, not ${instruction.toString()}`)
        }
      } else if (keyword === 'COPY') {
        copyFromContext(
          context,
          ig,
          args.slice(0, -1),
          posix.resolve(workdir, args.at(-1) ?? ''),
          args.at(-1)?.endsWith('/'),
          host,
        )
      } else if (keyword === 'RUN' && args[0] === 'pnpm') {
        const command = pnpmInstall(stage)
        if (!command || command.length !== args.length) throw new Error(`the replay runs one plain pnpm install: ${instruction}`)
        await run('pnpm', [...command.slice(1), '--offline'], { cwd: host(workdir), timeout: 120_000 })
        install = command
      }
    }
  }
  const command = execForm(ofKeyword(dockerfile.final, 'CMD').at(-1))
  if (!install) throw new Error('no RUN pnpm install to replay')
  if (!command) throw new Error('no CMD in exec form')
  return { root: into, workdir: host(workdir), env: properties(dockerfile.final, 'ENV'), command, install }
}

type Ignore = ReturnType<typeof ignore>

/** COPY <sources…> <target> from the context: a folder's contents, or a file, minus what .dockerignore leaves out. */
function copyFromContext(
  context: string,
  ig: Ignore,
  sources: string[],
  target: string,
  targetIsFolder: boolean | undefined,
  host: (containerPath: string) => string,
): void {
  for (const source of sources) {
    if (/[*?[]/.test(source)) throw new Error(`the replay copies no wildcard sources: ${source}`)
    const rel = posix.normalize(source).replace(/\/$/, '')
    const path = join(context, rel)
    if (lstatSync(path).isDirectory()) {
      const copied = copyTree(context, ig, rel, host(target))
      if (copied === 0) throw new Error(`COPY ${source}: nothing left in it after .dockerignore`)
    } else {
      if (ig.ignores(rel)) throw new Error(`COPY ${source}: .dockerignore excludes it, the build would fail`)
      const to = targetIsFolder || sources.length > 1 ? posix.join(target, posix.basename(rel)) : target
      mkdirSync(dirname(host(to)), { recursive: true })
      copyFileSync(path, host(to))
    }
  }
}

function copyTree(context: string, ig: Ignore, rel: string, to: string): number {
  let copied = 0
  for (const entry of readdirSync(join(context, rel), { withFileTypes: true })) {
    const child = posix.join(rel, entry.name)
    if (entry.isDirectory()) {
      copied += copyTree(context, ig, child, join(to, entry.name))
    } else if (entry.isFile() && !ig.ignores(child)) {
      mkdirSync(to, { recursive: true })
      copyFileSync(join(context, child), join(to, entry.name))
      copied++
    }
  }
  return copied
}
