import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import {
  checkCallerPolicy,
  freePort,
  pollUntil,
  startServiceMain,
  startServiceProcess,
  testCerts,
  testDatabase,
  testKafkaEnv,
} from '@catalog/kit/testing'
import { loadSearch } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import t from 'tap'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

type Tap = Parameters<typeof testDatabase>[0]

/** Its database and Kafka on the test servers, in a consumer group of its own. */
const onTestServers = async (t: Tap) => ({
  DATABASE_URL: await testDatabase(t),
  ...testKafkaEnv(),
  SEARCH_CONSUMER_GROUP: `main-test-${randomBytes(4).toString('hex')}`,
})

t.test('the search process starts with its indexer, reports ready, and stops cleanly on SIGTERM', async (t) => {
  const proc = await startServiceMain(t, MAIN, 'search', await onTestServers(t))
  const ready = await fetch(`${proc.opsUrl}/readyz`)
  t.equal(ready.status, 200)
  const metrics = await (await fetch(`${proc.opsUrl}/metrics`)).text()
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
  const env = {
    ...(await onTestServers(t)),
    ...testKafkaEnv('search'),
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'search',
    KAFKA_SASL_PASSWORD: 'not-the-password',
  }
  const err = await startServiceMain(t, MAIN, 'search', env, { timeoutMs: 30_000 }).catch((e: Error) => e)
  t.match(String(err), /search failed to start: kafka refused access: .*authentication failed.*check KAFKA_SASL_USERNAME/i)
  t.notMatch(String(err), /\n\s+at /, 'no stack trace')
})

t.test('an allowed caller that is no forwarder may not act as a tenant; reflection answers only whom it names', async (t) => {
  const proc = await startServiceMain(t, MAIN, 'search', {
    ...(await onTestServers(t)),
    SEARCH_ALLOWED_CALLERS: 'gateway,catalog',
    GRPC_REFLECTION_CALLERS: 'catalog',
  })
  await checkCallerPolicy(
    t,
    { service: loadSearch().grpc.search.v1.SearchService.service, address: proc.address },
    (client, options) => client.call('Search', { q: 'lamp' }, options),
    { other: 'catalog', reflection: { allowed: 'catalog', refused: 'gateway' } },
  )
  t.equal(await proc.stop(), 0)
})

const OPENSEARCH = process.env.TEST_OPENSEARCH_URL
const UNSET = 'TEST_OPENSEARCH_URL is not set'
if (!OPENSEARCH && process.env.CI) throw new Error(`${UNSET}: scripts/test.sh starts OpenSearch and sets it`)

/** The variables of a search process on the test servers, answering from OpenSearch at `url`. */
const openSearchEnv = async (t: Tap, url: string, prefix: string) => ({
  ...(await onTestServers(t)),
  SEARCH_ENGINE: 'opensearch',
  OPENSEARCH_URL: url,
  OPENSEARCH_INDEX_PREFIX: prefix,
  OPENSEARCH_REPLICAS: '0',
})

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
    const proc = await startServiceMain(t, MAIN, 'search', await openSearchEnv(t, url, prefix))
    const ready = await pollUntil(
      async () => (await fetch(`${proc.opsUrl}/readyz`)).json() as Promise<{ ready: boolean; checks: object }>,
      (r) => r.ready,
      60_000,
    )
    t.match(ready.checks, { opensearch: 'ok' }, 'the engine is a readiness check')
    const metrics = await (await fetch(`${proc.opsUrl}/metrics`)).text()
    t.match(metrics, /^search_opensearch_up\{app="search"\} 1$/m)
    t.match(metrics, '# TYPE search_opensearch_bulk_requests_total counter')
    const client = createUnaryClient(loadSearch().grpc.search.v1.SearchService.service, {
      address: proc.address,
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
  const proc = await startServiceMain(t, MAIN, 'search', await openSearchEnv(t, url, 'away'), { logFile })
  const res = await fetch(`${proc.opsUrl}/readyz`)
  t.equal(res.status, 503, 'not ready')
  const body = (await res.json()) as { checks: Record<string, string> }
  t.match(body.checks.opensearch, /opensearch at 127\.0\.0\.1:\d+: .*ECONNREFUSED/, 'the check names the cluster and the failure')
  const warned = await pollUntil(
    () => readFileSync(logFile, 'utf8'),
    (log) => log.includes('opensearch not ready'),
  )
  t.match(warned, /"reason":"opensearch at 127\.0\.0\.1:\d+: [^"]*ECONNREFUSED/, 'the log says why')
  const metrics = await (await fetch(`${proc.opsUrl}/metrics`)).text()
  t.match(metrics, /^search_opensearch_up\{app="search"\} 0$/m)
  t.equal(await proc.stop(), 0)
})
