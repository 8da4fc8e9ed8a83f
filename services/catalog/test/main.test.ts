import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { checkCallerPolicy, startServiceMain, testCerts, testDatabase } from '@catalog/kit/testing'
import { loadCatalog } from '@catalog/proto'
import { Metadata, status } from '@grpc/grpc-js'
import t from 'tap'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

/** Runs main.ts expecting it to fail at start. */
function run(env: Record<string, string>): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr?.on('data', (d) => {
    err += d
  })
  return { child, stderr: () => err }
}

const tlsEnv = () => testCerts().env('catalog')

t.test('a missing variable stops the start with a message naming it', async (t) => {
  const { child, stderr } = run({ ...tlsEnv() })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(stderr(), /catalog failed to start: invalid configuration: .*DATABASE_URL/)
  t.notMatch(stderr(), /at .*\.ts:\d+/, 'no stack trace for a configuration error')
})

t.test('an unreadable certificate names its variable', async (t) => {
  const { child, stderr } = run({
    ...tlsEnv(),
    TLS_CERT_FILE: '/nonexistent/catalog.crt',
    DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(stderr(), /TLS_CERT_FILE: cannot read \/nonexistent\/catalog.crt/)
})

t.test('the process starts, serves, reports ready and stops cleanly on SIGTERM', async (t) => {
  const proc = await startServiceMain(t, MAIN, 'catalog', { DATABASE_URL: await testDatabase(t) })
  const ready = await fetch(`${proc.opsUrl}/readyz`)
  t.equal(ready.status, 200)
  t.same(await ready.json(), { ready: true, checks: { postgres: 'ok' } })

  const client = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
    address: proc.address,
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 5_000,
  })
  const metadata = writePrincipal(new Metadata(), { tenant: 'acme', subject: 'u', scopes: [] })
  await t.rejects(client.call('GetItem', { id: '00000000-0000-4000-8000-000000000000' }, { metadata }), {
    code: status.NOT_FOUND,
  })
  const metrics = await (await fetch(`${proc.opsUrl}/metrics`)).text()
  t.match(metrics, /grpc_server_handled_total\{service="catalog.v1.CatalogService",method="GetItem",code="NOT_FOUND"/)
  t.match(
    metrics,
    /grpc_server_handling_seconds_bucket\{(?=[^}]*le="0.005")(?=[^}]*method="GetItem")[^}]*\} \d+/,
    'a latency histogram',
  )
  t.match(metrics, /db_pool_connections\{state="idle",app="catalog"\} \d+/, 'the pool by state')
  t.match(metrics, /db_pool_connections\{state="waiting",app="catalog"\} 0/)
  t.match(metrics, /tls_certificate_expiry_timestamp_seconds\{app="catalog"\} \d{10}/, "its certificate's end")
  t.match(metrics, /process_resident_memory_bytes\{app="catalog"\} \d+/, 'and the process defaults')
  client.close()
  t.equal(await proc.stop(), 0, 'a clean exit after SIGTERM')
  t.equal(proc.stderr(), '', 'nothing on stderr beside the JSON log')
})

t.test('a forwarder that is not an allowed caller stops the start, naming both settings', async (t) => {
  const { child, stderr } = run({
    ...tlsEnv(),
    DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
    CATALOG_ALLOWED_CALLERS: 'gateway',
    CATALOG_FORWARDERS: 'gateway,search',
  })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(
    stderr(),
    /catalog failed to start: invalid configuration: CATALOG_FORWARDERS names "search", which CATALOG_ALLOWED_CALLERS/,
  )
})

t.test('an allowed caller that is no forwarder may not act as a tenant; reflection answers only whom it names', async (t) => {
  const proc = await startServiceMain(t, MAIN, 'catalog', {
    DATABASE_URL: await testDatabase(t),
    CATALOG_ALLOWED_CALLERS: 'gateway,search',
  })
  // An unknown item: NOT_FOUND to whoever may ask. Reflection answers the gateway by default.
  const id = { id: '00000000-0000-4000-8000-000000000000' }
  await checkCallerPolicy(
    t,
    { service: loadCatalog().grpc.catalog.v1.CatalogService.service, address: proc.address },
    (client, options) => client.call('GetItem', id, options),
    { other: 'search', reflection: { allowed: 'gateway', refused: 'search' } },
  )
  t.equal(await proc.stop(), 0)
})
