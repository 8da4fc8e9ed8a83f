import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { connect } from 'node:tls'
import { fileURLToPath } from 'node:url'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import * as grpc from '@grpc/grpc-js'
import t from 'tap'
import { certificateMetrics, createLogger, createMetrics, createUnaryClient, readTlsFiles } from '../src/index.ts'
import { pollUntil, startStubService, testCerts } from '../src/testing/index.ts'

const CERTS_SCRIPT = fileURLToPath(new URL('../../../scripts/certs.sh', import.meta.url))
const { definition, grpc: proto } = loadCatalog()
const service = proto.catalog.v1.CatalogService.service
const certs = testCerts()
const platform = join(certs.dir, 'platform')
const REFRESH_MS = 200

/** Replaces one file of a mounted secret whole (written aside, then renamed over it). */
function put(src: string, dir: string, name: string) {
  copyFileSync(src, join(dir, `.${name}.new`))
  renameSync(join(dir, `.${name}.new`), join(dir, name))
}

/** A workload's mounted secret: files replaced whole, as the kubelet swaps a projected volume. */
function mountedSecret(dir: string, from: { crt: string; key: string }) {
  mkdirSync(dir, { recursive: true })
  put(join(platform, 'ca.crt'), dir, 'ca.crt')
  put(from.crt, dir, 'tls.crt')
  put(from.key, dir, 'tls.key')
  return readTlsFiles({ caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') }, REFRESH_MS)
}

/** A certificate for `name` issued again by the platform CA: same identity, new key and serial. */
function renewed(name: string, into: string) {
  mkdirSync(into, { recursive: true })
  copyFileSync(join(platform, 'ca.crt'), join(into, 'ca.crt'))
  copyFileSync(join(platform, 'ca.key'), join(into, 'ca.key'))
  execFileSync('bash', [CERTS_SCRIPT, into, name], { stdio: 'ignore' })
  return { crt: join(into, `${name}.crt`), key: join(into, `${name}.key`) }
}

const issued = (name: string) => ({ crt: join(platform, `${name}.crt`), key: join(platform, `${name}.key`) })
const fingerprintOf = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256

/** The certificate a new TLS connection to the port is served. */
function servedFingerprint(port: number, client: { ca: Buffer; cert: Buffer; key: Buffer }) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...client, servername: 'localhost', ALPNProtocols: ['h2'] }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '')
      socket.destroy()
    })
    socket.once('error', reject)
  })
}

async function startServer(tls: ReturnType<typeof readTlsFiles>, maxConnectionAgeMs?: number) {
  return startStubService<catalog.CatalogServiceHandlers>(
    { identity: 'catalog', name: 'catalog.v1.CatalogService', definition, service, tls, maxConnectionAgeMs },
    { GetItem: async (req) => ({ item: { id: req.id, version: '1' } }) },
  )
}

t.test('a renewed server certificate is served to new connections without a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-reload-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const tls = mountedSecret(join(dir, 'catalog'), issued('catalog'))
  const { server, port } = await startServer(tls)
  t.teardown(() => server.shutdown(1_000))
  const gateway = certs.of('gateway')

  t.equal(await servedFingerprint(port, gateway), fingerprintOf(issued('catalog').crt), 'serves the mounted certificate')
  const next = renewed('catalog', join(dir, 'renewed'))
  t.not(fingerprintOf(next.crt), fingerprintOf(issued('catalog').crt), 'the renewal is a new certificate')
  mountedSecret(join(dir, 'catalog'), next)

  const served = await pollUntil(
    () => servedFingerprint(port, gateway),
    (fp) => fp === fingerprintOf(next.crt),
    10_000,
  )
  t.equal(served, fingerprintOf(next.crt), 'new connections get the renewed certificate')

  const c = createUnaryClient(service, { address: `localhost:${port}`, tls: gateway, defaultTimeoutMs: 5_000 })
  t.teardown(() => c.close())
  t.equal((await c.call('GetItem', { id: 'a' })).item?.id, 'a', 'and calls still pass the caller policy')
})

t.test('a client presents its renewed certificate on its next connection without a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-reload-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { server, port } = await startServer(certs.of('catalog'), 1_000)
  t.teardown(() => server.shutdown(1_000))

  // The workload's mounted certificate names an identity the policy refuses, then is replaced by
  // one it admits: the same client must be refused, then served, once it reconnects.
  const tls = mountedSecret(join(dir, 'client'), issued('stranger'))
  const c = createUnaryClient(service, {
    address: `localhost:${port}`,
    tls,
    defaultTimeoutMs: 5_000,
  })
  t.teardown(() => c.close())
  await t.rejects(c.call('GetItem', { id: 'a' }), { code: grpc.status.PERMISSION_DENIED }, 'stranger is refused')

  mountedSecret(join(dir, 'client'), issued('gateway'))
  // The open connection keeps its certificate until the server's maximum connection age ends it.
  const res = await pollUntil(
    () => c.call('GetItem', { id: 'b' }).catch(() => undefined),
    (r) => r !== undefined,
    15_000,
  )
  t.equal(res?.item?.id, 'b', 'the renewed identity is served by the same client')
})

t.test('a new certificate read before its key is not applied until the key that matches it is', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-reload-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const secret = join(dir, 'catalog')
  const tls = mountedSecret(secret, issued('catalog'))
  const metrics = createMetrics({ service: 'test', defaultMetrics: false })
  const warnings: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      warnings.push(JSON.parse(String(chunk)))
      done()
    },
  })
  certificateMetrics(tls, metrics, createLogger({ name: 'test', level: 'warn' }, sink))
  const rejections = async () =>
    (await metrics.registry.getSingleMetric('tls_reload_rejected_total')?.get())?.values[0]?.value ?? 0
  const { server, port } = await startServer(tls)
  t.teardown(() => server.shutdown(1_000))
  const gateway = certs.of('gateway')
  const old = fingerprintOf(issued('catalog').crt)
  t.equal(await servedFingerprint(port, gateway), old)
  t.equal(await rejections(), 0, 'nothing refused while the files do not change')

  // cert-manager mid-rotation: tls.crt is the renewed one, tls.key still the old key.
  const next = renewed('catalog', join(dir, 'renewed'))
  put(next.crt, secret, 'tls.crt')
  t.ok((await pollUntil(rejections, (n) => n >= 2, 10_000)) >= 2, 'the pair is refused at each read, and counted')
  t.equal(await servedFingerprint(port, gateway), old, 'new connections still get the last good certificate')
  const c = createUnaryClient(service, { address: `localhost:${port}`, tls: gateway, defaultTimeoutMs: 5_000 })
  t.teardown(() => c.close())
  t.equal((await c.call('GetItem', { id: 'a' })).item?.id, 'a', 'and calls are served')
  t.match(warnings[0], {
    level: 'warn',
    reason: 'the key does not match the certificate',
    certFile: join(secret, 'tls.crt'),
    keyFile: join(secret, 'tls.key'),
  })

  put(next.key, secret, 'tls.key')
  const fp = fingerprintOf(next.crt)
  t.equal(
    await pollUntil(
      () => servedFingerprint(port, gateway),
      (served) => served === fp,
      10_000,
    ),
    fp,
    'the matching pair is applied at the next read',
  )
  const renewedClient = createUnaryClient(service, { address: `localhost:${port}`, tls: gateway, defaultTimeoutMs: 5_000 })
  t.teardown(() => renewedClient.close())
  t.equal((await renewedClient.call('GetItem', { id: 'b' })).item?.id, 'b', 'and a new connection is served with it')
})

t.test('a key that does not match its certificate stops the start, naming both files', async (t) => {
  const paths = {
    caFile: join(platform, 'ca.crt'),
    certFile: issued('catalog').crt,
    keyFile: issued('search').key,
  }
  t.throws(() => readTlsFiles(paths, REFRESH_MS), {
    code: 'KIT_ERR_CONFIG',
    message: `TLS_KEY_FILE, TLS_CERT_FILE: the key does not match the certificate (${paths.keyFile}, ${paths.certFile})`,
  })
})
