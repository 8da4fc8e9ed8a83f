import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { logged, pollUntil, startServiceProcess, testCerts, testDatabase, testKafkaEnv } from '@catalog/kit/testing'
import t from 'tap'
import { count, platform } from './e2e-platform.ts'
import { as, finished, ingestionClient, item, ndjson, writeInput } from './helpers.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

t.test('killing the ingestion process mid-file and starting the file again: exact counts, no duplicate events', async (t) => {
  const { cat, publishedEvents, ingestGroup } = await platform(t, 'e2e-kill')
  const root = await mkdtemp(join(tmpdir(), 'ingest-kill-'))
  const N = 10_000
  const tenant = `kill-${Date.now()}`
  const uri = await writeInput(root, tenant, 'big.ndjson', ndjson(Array.from({ length: N }, (_, i) => item(i))))
  const env = {
    DATABASE_URL: await testDatabase(t),
    ...testKafkaEnv('ingestion'),
    KAFKA_CREATE_TOPICS: 'false',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    ...testCerts().env('ingestion'),
    INGEST_FILE_ROOT: root,
    INGEST_JOB_LEASE_MS: '1000',
    INGEST_PROGRESS_MS: '100',
    INGEST_BATCH_RECORDS: '100',
    // A group of its own on the shared broker: another test's ingestion process would take partitions of it.
    INGESTION_APPLIED_GROUP: `ingestion-applied-e2e-${Date.now()}`,
    INGEST_CATALOG_GROUP: ingestGroup,
  }
  const first = await startServiceProcess(MAIN, env, { readyMessage: 'ingestion ready', timeoutMs: 60_000 })
  t.teardown(() => first.child.kill('SIGKILL'))
  const c1 = ingestionClient(t, `localhost:${logged<number>(first.lines, 'port')}`)
  const { job } = await c1.call('StartIngestion', { uri }, as(tenant))
  await pollUntil(
    () => c1.call('GetIngestion', { id: job?.id ?? '' }, as(tenant)),
    (r) => Number(r.job?.accepted) >= 1_000,
    30_000,
  )
  first.child.kill('SIGKILL')
  c1.close()

  const second = await startServiceProcess(MAIN, env, { readyMessage: 'ingestion ready', timeoutMs: 60_000 })
  t.teardown(() => second.stop())
  const c2 = ingestionClient(t, `localhost:${logged<number>(second.lines, 'port')}`)
  const retried = await pollUntil(
    () => c2.call('StartIngestion', { uri }, as(tenant)),
    (r) => !r.duplicate, // The dead job is a duplicate until its lease runs out.
    20_000,
  )
  t.not(retried.job?.id, job?.id, 'a new job replaces the interrupted one')
  const killed = (await c2.call('GetIngestion', { id: job?.id ?? '' }, as(tenant))).job
  t.equal(killed?.state, 'JOB_STATE_FAILED')
  t.match(killed?.error, /interrupted/)
  const done = await finished(c2, tenant, retried.job?.id ?? '')
  t.equal(done.accepted, String(N))
  await pollUntil(
    () => count(cat.pool, 'SELECT count(*)::int AS n FROM items WHERE tenant = $1', [tenant]),
    (n) => n === N,
    120_000,
  )
  t.equal(await count(cat.pool, 'SELECT count(*)::int AS n FROM items WHERE tenant = $1', [tenant]), N, 'every record once')
  t.equal(
    await count(cat.pool, 'SELECT max(version)::int AS n FROM items WHERE tenant = $1', [tenant]),
    1,
    'none applied twice as a change',
  )
  // The relay publishes in passes: on a busy machine two passes may not have reached the last ones yet.
  const upserted = () => publishedEvents(tenant, (e) => e.type === 'item.upserted')
  await pollUntil(upserted, (n) => n >= N, 60_000)
  t.equal(await upserted(), N, 'one item event per record: the re-read records changed nothing')
})
