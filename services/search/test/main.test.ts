import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import {
  clientsOf,
  freePort,
  logged,
  pollUntil,
  reflectionStatus,
  startServiceProcess,
  testCerts,
  testDatabase,
  testKafkaEnv,
} from '@catalog/kit/testing'
import { loadSearch } from '@catalog/proto'
import { Metadata, status } from '@grpc/grpc-js'
import t from 'tap'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

t.test('the search process starts with its indexer, reports ready, and stops cleanly on SIGTERM', async (t) => {
  const proc = await startServiceProcess(
    MAIN,
    {
      DATABASE_URL: await testDatabase(t),
      ...testKafkaEnv(),
      SEARCH_CONSUMER_GROUP: `main-test-${Date.now()}`,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HEALTH_PORT: '0',
      METRICS_PORT: '0',
      ...testCerts().env('search'),
    },
    { readyMessage: 'search ready', timeoutMs: 60_000 },
  )
  t.teardown(() => proc.child.kill('SIGKILL'))
  const metricsPort = logged<number>(proc.lines, 'metricsPort')
  const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`)
  t.equal(ready.status, 200)
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
  for (const series of [
    'kafka_consumer_lag gauge',
    'kafka_consumer_batch_seconds histogram',
    'search_index_freshness_seconds histogram',
    'search_expensive_refused_total counter',
  ])
    t.match(metrics, `# TYPE ${series}`, `exports ${series}`)
  t.match(metrics, /db_pool_connections\{state="busy",app="search"\} \d+/)
  t.equal(await proc.stop(), 0)
  t.equal(proc.stderr(), '', 'nothing on stderr beside the JSON log, Kafka connected and all')
})

t.test('without KAFKA_BROKERS the search process refuses to start, naming it', async (t) => {
  const err = await startServiceProcess(
    MAIN,
    { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', ...testCerts().env('search') },
    { readyMessage: 'search ready', timeoutMs: 10_000 },
  ).catch((e: Error) => e)
  t.match(String(err), /search failed to start: invalid configuration: .*KAFKA_BROKERS/)
})

t.test('credentials the brokers refuse stop the start with one line that says so, no stack trace', async (t) => {
  const err = await startServiceProcess(
    MAIN,
    {
      DATABASE_URL: await testDatabase(t),
      ...testKafkaEnv('search'),
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'search',
      KAFKA_SASL_PASSWORD: 'not-the-password',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HEALTH_PORT: '0',
      METRICS_PORT: '0',
      ...testCerts().env('search'),
    },
    { readyMessage: 'search ready', timeoutMs: 30_000 },
  ).catch((e: Error) => e)
  t.match(String(err), /search failed to start: kafka refused access: .*authentication failed.*check KAFKA_SASL_USERNAME/i)
  t.notMatch(String(err), /\n\s+at /, 'no stack trace')
})

t.test('an allowed caller that is no forwarder may not act as a tenant; reflection answers only whom it names', async (t) => {
  const proc = await startServiceProcess(
    MAIN,
    {
      DATABASE_URL: await testDatabase(t),
      ...testKafkaEnv(),
      SEARCH_CONSUMER_GROUP: `main-test-${Date.now()}`,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HEALTH_PORT: '0',
      METRICS_PORT: '0',
      SEARCH_ALLOWED_CALLERS: 'gateway,catalog',
      GRPC_REFLECTION_CALLERS: 'catalog',
      ...testCerts().env('search'),
    },
    { readyMessage: 'search ready', timeoutMs: 60_000 },
  )
  t.teardown(() => proc.child.kill('SIGKILL'))
  const address = `localhost:${logged<number>(proc.lines, 'port') ?? 0}`
  const { as: clientAs, forwarding: as } = clientsOf(t, loadSearch().grpc.search.v1.SearchService.service, address)
  t.ok(await clientAs('gateway').call('Search', { q: 'lamp' }, as()), "the gateway's principal is served")
  const catalog = clientAs('catalog')
  await t.rejects(catalog.call('Search', { q: 'lamp' }, as()), { code: status.PERMISSION_DENIED }, "catalog's is refused")
  await t.rejects(catalog.call('Search', { q: 'lamp' }), { code: status.UNAUTHENTICATED }, 'though catalog itself may call')

  t.equal(await reflectionStatus(address, testCerts().of('catalog')), status.OK, 'reflection answers whom it names')
  t.equal(await reflectionStatus(address, testCerts().of('gateway')), status.PERMISSION_DENIED, 'and nobody else')
  t.equal(await proc.stop(), 0)
})

const OPENSEARCH = process.env.TEST_OPENSEARCH_URL
const UNSET = 'TEST_OPENSEARCH_URL is not set'
if (!OPENSEARCH && process.env.CI) throw new Error(`${UNSET}: scripts/test.sh starts OpenSearch and sets it`)

/** The variables of a search process on the test servers, answering from OpenSearch at `url`. */
async function openSearchEnv(t: Parameters<typeof testDatabase>[0], url: string, prefix: string) {
  return {
    DATABASE_URL: await testDatabase(t),
    ...testKafkaEnv(),
    SEARCH_CONSUMER_GROUP: `main-test-${Date.now()}`,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    SEARCH_ENGINE: 'opensearch',
    OPENSEARCH_URL: url,
    OPENSEARCH_INDEX_PREFIX: prefix,
    OPENSEARCH_REPLICAS: '0',
    ...testCerts().env('search'),
  }
}

t.test(
  'with SEARCH_ENGINE=opensearch the process answers from OpenSearch and reports it ready',
  { skip: OPENSEARCH ? false : UNSET },
  async (t) => {
    const url = OPENSEARCH ?? ''
    const prefix = `main-${randomBytes(4).toString('hex')}`
    t.teardown(async () => {
      await fetch(`${url}/${prefix}-items-*`, { method: 'DELETE' })
      await fetch(`${url}/_index_template/${prefix}-items`, { method: 'DELETE' })
    })
    const proc = await startServiceProcess(MAIN, await openSearchEnv(t, url, prefix), {
      readyMessage: 'search ready',
      timeoutMs: 60_000,
    })
    t.teardown(() => proc.child.kill('SIGKILL'))
    const metricsPort = logged<number>(proc.lines, 'metricsPort')
    const ready = await pollUntil(
      async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).json() as Promise<{ ready: boolean; checks: object }>,
      (r) => r.ready,
      60_000,
    )
    t.match(ready.checks, { opensearch: 'ok' }, 'the engine is a readiness check')
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    t.match(metrics, /^search_opensearch_up\{app="search"\} 1$/m)
    t.match(metrics, '# TYPE search_opensearch_bulk_requests_total counter')
    const address = `localhost:${logged<number>(proc.lines, 'port') ?? 0}`
    const client = createUnaryClient(loadSearch().grpc.search.v1.SearchService.service, {
      address,
      tls: testCerts().of('gateway'),
      defaultTimeoutMs: 10_000,
    })
    t.teardown(() => client.close())
    // A tenant of its own: the process's indexer reads the shared test topic from its start.
    const tenant = `main-${randomBytes(4).toString('hex')}`
    const as = { metadata: writePrincipal(new Metadata(), { tenant, subject: 'u', scopes: [] }) }
    t.same((await client.call('Search', { q: 'lamp' }, as)).hits, [], 'a search is answered from the index')
    t.equal(await proc.stop(), 0)
    t.equal(proc.stderr(), '', 'nothing on stderr')
  },
)

t.test('an OpenSearch out of reach: the process runs, not ready, and says why in its log and metrics', async (t) => {
  const logFile = join(tmpdir(), `search-main-${randomBytes(4).toString('hex')}.log`)
  const url = `http://127.0.0.1:${await freePort()}`
  const proc = await startServiceProcess(MAIN, await openSearchEnv(t, url, 'away'), {
    readyMessage: 'search ready',
    timeoutMs: 60_000,
    logFile,
  })
  t.teardown(() => proc.child.kill('SIGKILL'))
  const metricsPort = logged<number>(proc.lines, 'metricsPort')
  const res = await fetch(`http://127.0.0.1:${metricsPort}/readyz`)
  t.equal(res.status, 503, 'not ready')
  const body = (await res.json()) as { checks: Record<string, string> }
  t.match(body.checks.opensearch, /opensearch at 127\.0\.0\.1:\d+: .*ECONNREFUSED/, 'the check names the cluster and the failure')
  const warned = await pollUntil(
    () => readFileSync(logFile, 'utf8'),
    (log) => log.includes('opensearch not ready'),
  )
  t.match(warned, /"reason":"opensearch at 127\.0\.0\.1:\d+: [^"]*ECONNREFUSED/, 'the log says why')
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
  t.match(metrics, /^search_opensearch_up\{app="search"\} 0$/m)
  t.equal(await proc.stop(), 0)
})
