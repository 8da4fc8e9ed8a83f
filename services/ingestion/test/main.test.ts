import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import {
  checkCallerPolicy,
  startServiceMain,
  startServiceProcess,
  testCerts,
  testDatabase,
  testKafkaEnv,
} from '@catalog/kit/testing'
import { loadIngestion } from '@catalog/proto'
import t from 'tap'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const tls = () => testCerts().env('ingestion')

/** Its database and Kafka on the test servers (topics made by the test command). */
const onTestServers = async (t: Parameters<typeof testDatabase>[0]) => ({
  DATABASE_URL: await testDatabase(t),
  ...testKafkaEnv('ingestion'),
  KAFKA_CREATE_TOPICS: 'false',
  INGESTION_APPLIED_GROUP: `ingestion-applied-main-${randomUUID()}`,
})

t.test('the ingestion process starts, reports ready, and stops cleanly on SIGTERM', async (t) => {
  const proc = await startServiceMain(t, MAIN, 'ingestion', {
    ...(await onTestServers(t)),
    DROP_URI: 'file:///tenants/default/',
  })
  const ready = await fetch(`${proc.opsUrl}/readyz`)
  t.equal(ready.status, 200)
  const metrics = await (await fetch(`${proc.opsUrl}/metrics`)).text()
  for (const series of [
    'ingestion_records_total counter',
    'ingestion_jobs_running gauge',
    'ingestion_jobs_finished_total counter',
  ])
    t.match(metrics, `# TYPE ${series}`, `exports ${series}`)
  t.match(metrics, /tls_certificate_expiry_timestamp_seconds\{app="ingestion"\} \d{10}/)
  t.equal(await proc.stop(), 0)
  // Logs are JSON lines on stdout; kafkajs on Node 24 printed a TimeoutNegativeWarning at each
  // connect until patches/kafkajs@2.2.4.patch.
  t.equal(proc.stderr(), '', 'nothing on stderr, Kafka connected and all')
})

t.test(
  "with DROP_EVENTS_TOPIC the process reads the object store's events of the drop bucket",
  { skip: !process.env.TEST_S3_ENDPOINT },
  async (t) => {
    const proc = await startServiceMain(t, MAIN, 'ingestion', {
      ...(await onTestServers(t)),
      INGEST_S3_BUCKETS: 'ingest-events',
      S3_ENDPOINT: process.env.TEST_S3_ENDPOINT ?? '',
      AWS_ACCESS_KEY_ID: process.env.TEST_S3_ACCESS_KEY ?? '',
      AWS_SECRET_ACCESS_KEY: process.env.TEST_S3_SECRET_KEY ?? '',
      DROP_URI: 's3://ingest-events/tenants/default/drops/',
      DROP_CRON: '',
      DROP_EVENTS_TOPIC: 's3.events.v1',
      DROP_EVENTS_GROUP: `ingestion-drop-events-main-${randomUUID()}`,
    })
    t.ok(
      proc.lines.some((l) => l.msg === 'drop events: listening' && l.topic === 's3.events.v1'),
      'it listens before it says ready',
    )
    t.match(await (await fetch(`${proc.opsUrl}/metrics`)).text(), '# TYPE ingestion_drop_events_total counter')
    t.equal(await proc.stop(), 0, 'its consumer leaves as the process stops')
  },
)

t.test('a wrong setting stops the start with a message that names it', async (t) => {
  const err = await startServiceProcess(
    MAIN,
    { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', KAFKA_BROKERS: '127.0.0.1:1', INGEST_MAX_ERROR_RATIO: '2', ...tls() },
    { readyMessage: 'ingestion ready', timeoutMs: 10_000 },
  ).catch((e: Error) => e)
  t.match(String(err), /ingestion failed to start: invalid configuration: .*INGEST_MAX_ERROR_RATIO/)
})

t.test('a drop folder outside the drop tenant area stops the start, naming DROP_URI', async (t) => {
  const err = await startServiceProcess(
    MAIN,
    {
      DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
      KAFKA_BROKERS: '127.0.0.1:1',
      DROP_URI: 's3://drops/daily/',
      DROP_TENANT: 'acme',
      ...tls(),
    },
    { readyMessage: 'ingestion ready', timeoutMs: 10_000 },
  ).catch((e: Error) => e)
  t.match(String(err), 'ingestion failed to start: invalid configuration: DROP_URI must be under s3://drops/tenants/acme/')
})

t.test('an allowed caller that is no forwarder may not act as a tenant; reflection answers only whom it names', async (t) => {
  const proc = await startServiceMain(t, MAIN, 'ingestion', {
    ...(await onTestServers(t)),
    INGESTION_ALLOWED_CALLERS: 'gateway,catalog',
    GRPC_REFLECTION_CALLERS: 'catalog',
  })
  await checkCallerPolicy(
    t,
    { service: loadIngestion().grpc.ingestion.v1.IngestionService.service, address: proc.address },
    (client, options) => client.call('ListIngestions', {}, options),
    { other: 'catalog', reflection: { allowed: 'catalog', refused: 'gateway' } },
  )
  t.equal(await proc.stop(), 0)
})
