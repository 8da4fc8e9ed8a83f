import { randomUUID } from 'node:crypto'
import { startIngestConsumer, startTestCatalog } from '@catalog/catalog-service/testing'
import type { Kafka, Pool, Producer } from '@catalog/kit'
import { cloudEventHeaders, createIdempotentProducer, createKafka, createMetrics } from '@catalog/kit'
import { pollUntil, silentLogger, startAtEnd, testKafka } from '@catalog/kit/testing'
import type { ingestion } from '@catalog/proto'
import { events } from '@catalog/proto'
import t from 'tap'
import { startAppliedConsumer } from '../src/jobs/applied-consumer.ts'
import type { JobRow } from '../src/jobs/job-store.ts'
import { failUnapplied, finishJob, getJob, recordApplied } from '../src/jobs/job-store.ts'
import { startTestIngestion } from '../src/testing.ts'
import { as, finished, ingestionClient, item, ndjson, writeInput } from './helpers.ts'

const log = silentLogger()

interface Tap {
  teardown(fn: () => unknown): void
}

/** A Kafka client and producer of the test broker, closed at the end. */
async function broker(t: Tap, name: string): Promise<{ kafka: Kafka; producer: Producer }> {
  const kafka = createKafka({ ...testKafka(), clientId: name, log })
  const producer = await createIdempotentProducer(kafka, log)
  t.teardown(() => producer.disconnect())
  return { kafka, producer }
}

/** Ingestion's reader of catalog.ingest.v1 in a group of its own, from the broker's end. */
async function appliedReader(
  t: Tap,
  ing: Awaited<ReturnType<typeof startTestIngestion>>,
  kafka: Kafka,
  name: string,
  catalogGroup = CATALOG_GROUP,
) {
  const groupId = `${name}-${Date.now()}`
  await startAtEnd(kafka, groupId, events.TOPICS.ingest)
  const metrics = createMetrics({ service: name, defaultMetrics: false })
  const reader = await startAppliedConsumer(kafka, {
    pool: ing.pool,
    producer: ing.producer,
    log,
    metrics,
    jobMetrics: ing.jobMetrics,
    groupId,
    catalogGroup,
  })
  t.teardown(() => reader.stop())
  return {
    stalled: async () =>
      (await metrics.registry.getSingleMetric('ingestion_jobs_applying_stalled_seconds')?.get())?.values[0]?.value,
  }
}

/** The catalog group whose totals the readers here take, unless a test names its own. */
const CATALOG_GROUP = 'catalog-ingest'

/** An `ingest.applied` event as the catalog sends it. */
const totals = (job: string, tenant: string, partition: number, applied: number, rejected: number, group = CATALOG_GROUP) => ({
  key: job,
  value: events.ingestApplied.encode({
    tenant,
    job_id: job,
    partition,
    applied: String(applied),
    rejected: String(rejected),
    through_offset: String(applied + rejected),
    group,
  }),
  headers: cloudEventHeaders({ id: randomUUID(), type: events.TYPES.ingestApplied, source: '/catalog', time: new Date() }),
})

/** A running job of `tenant` with `accepted` records published, as a run leaves it before its end. */
async function runningJob(pool: Pool, tenant: string, accepted: number): Promise<string> {
  const id = randomUUID()
  await pool.query(
    `INSERT INTO jobs (id, tenant, uri, format, default_source, processed, accepted)
     VALUES ($1, $2, 'upload:t', 'ndjson', 'upload', $3, $3)`,
    [id, tenant, accepted],
  )
  return id
}

const state = async (pool: Pool, tenant: string, id: string) => {
  const job = (await getJob(pool, tenant, id)) as JobRow
  return { state: job.state, applied: job.applied, rejected: job.catalog_rejected, finished: job.finished_at !== null }
}

t.test("an applying job completes once the catalog's totals account for every accepted record", async (t) => {
  const ing = await startTestIngestion(t, { awaitApplied: true })
  const { kafka, producer } = await broker(t, 'applied-totals')
  await appliedReader(t, ing, kafka, 'applied-totals')
  const client = ingestionClient(t, ing.address)
  const tenant = `applied-${Date.now()}`
  const uri = await writeInput(ing.fileRoot, tenant, 'five.ndjson', ndjson([1, 2, 3, 4, 5].map((n) => item(n))))
  const started = await client.call('StartIngestion', { uri }, as(tenant))
  const id = started.job?.id ?? ''
  const read = await pollUntil(
    () => client.call('GetIngestion', { id }, as(tenant)),
    (r) => r.job?.state !== 'JOB_STATE_RUNNING',
    30_000,
  )
  t.match(
    read.job,
    { state: 'JOB_STATE_APPLYING', accepted: '5', applied: '0', catalog_rejected: '0' },
    'read and published, not applied',
  )
  t.same(read.job?.finished_at, null, 'not finished')

  const send = (...messages: ReturnType<typeof totals>[]) => producer.send({ topic: events.TOPICS.ingest, acks: -1, messages })
  await send(totals(id, tenant, 0, 2, 0), totals(id, tenant, 1, 1, 0))
  const partly = await pollUntil(
    () => state(ing.pool, tenant, id),
    (s) => s.applied === '3',
    30_000,
  )
  t.same(partly, { state: 'applying', applied: '3', rejected: '0', finished: false }, 'the sum over partitions')
  // Older totals (a batch counted again, an event late), another tenant's claim and another
  // catalog's totals (a bench reading the same records) change nothing.
  await send(totals(id, tenant, 0, 1, 0), totals(id, 'someone-else', 2, 2, 0), totals(id, tenant, 1, 9, 9, 'bench-ingest'))
  await send(totals(id, tenant, 1, 2, 1))
  const done = await pollUntil(
    () => client.call('GetIngestion', { id }, as(tenant)),
    (r) => r.job?.state === 'JOB_STATE_COMPLETED',
    30_000,
  )
  t.match(done.job, { applied: '4', catalog_rejected: '1', accepted: '5' }, 'four applied and one refused of five: complete')
  t.not(done.job?.finished_at, null)
  const { rows } = await ing.pool.query('SELECT partition FROM job_applied WHERE job_id = $1 ORDER BY partition', [id])
  t.same(
    rows.map((r) => r.partition),
    [0, 1],
    'no totals kept for the claim of another tenant',
  )
})

t.test('totals that arrive before the run ends complete it at its end; a job the catalog stopped applying fails', async (t) => {
  const ing = await startTestIngestion(t)
  const { kafka } = await broker(t, 'applied-early')
  const reader = await appliedReader(t, ing, kafka, 'applied-early')
  t.equal(await reader.stalled(), 0, 'no job waits for the catalog')
  const tenant = `applied-early-${Date.now()}`
  const early = await runningJob(ing.pool, tenant, 2)
  t.same(await recordApplied(ing.pool, [{ jobId: early, tenant, partition: 0, applied: '2', rejected: '0' }]), [])
  t.equal((await state(ing.pool, tenant, early)).state, 'running', 'totals do not end a run')
  t.equal((await finishJob(ing.pool, early, 'completed', '', 2, true))?.state, 'completed', 'already applied: completed at once')

  const waiting = await runningJob(ing.pool, tenant, 2)
  t.equal((await finishJob(ing.pool, waiting, 'completed', '', 2, true))?.state, 'applying')
  const failedRun = await runningJob(ing.pool, tenant, 2)
  t.equal((await finishJob(ing.pool, failedRun, 'failed', 'x', 2, true))?.state, 'failed', 'only a completed run waits')
  const published = await runningJob(ing.pool, tenant, 2)
  t.equal((await finishJob(ing.pool, published, 'completed', '', 2, false))?.state, 'completed', 'INGEST_COMPLETE_WHEN=published')

  t.same(await failUnapplied(ing.pool, 60_000), [], 'totals moved within the timeout')
  await ing.pool.query(`UPDATE jobs SET updated_at = now() - interval '2 minutes' WHERE id = $1`, [waiting])
  t.ok(((await reader.stalled()) ?? 0) >= 120, 'the gauge says how long the catalog has owed it')
  // Totals of another job arrived half a minute ago: the catalog is working, the job waits.
  await ing.pool.query(
    `INSERT INTO applied_seen (at) VALUES (now() - interval '30 seconds') ON CONFLICT (one) DO UPDATE SET at = excluded.at`,
  )
  t.same(await failUnapplied(ing.pool, 60_000), [], 'not while the catalog sends totals of other jobs')
  await ing.pool.query(`UPDATE applied_seen SET at = now() - interval '5 minutes'`)
  const failed = await failUnapplied(ing.pool, 60_000)
  t.same(
    failed.map((j) => [j.id, j.state]),
    [[waiting, 'failed']],
  )
  t.match(failed[0]?.error, /^ING_ERR_NOT_APPLIED: /)
  t.equal(await reader.stalled(), 0)
})

t.test(
  '100,000 records: the job is never completed before the catalog applied every accepted one',
  { timeout: 300_000 },
  async (t) => {
    const cat = await startTestCatalog(t)
    const ing = await startTestIngestion(t, { awaitApplied: true, batchRecords: 1_000 })
    const { kafka, producer } = await broker(t, 'applied-load')
    const group = `catalog-load-${Date.now()}`
    await appliedReader(t, ing, kafka, 'applied-load', group)
    const client = ingestionClient(t, ing.address)
    const tenant = `applied-load-${Date.now()}`
    const n = 100_000
    const bad = new Set([17, 40_000, 99_999])
    const records = Array.from({ length: n }, (_, i) =>
      bad.has(i) ? item(i, { price: { amount_minor: -1, currency: 'EUR' } }) : item(i, { description: '' }),
    )
    const uri = await writeInput(ing.fileRoot, tenant, 'load.ndjson', ndjson(records))
    // The catalog's group starts at the broker's end now, and applies nothing until the job is read.
    await startAtEnd(kafka, group, events.INGESTION_TOPICS.record)
    const started = await client.call('StartIngestion', { uri }, as(tenant))
    const id = started.job?.id ?? ''
    const read = await pollUntil(
      () => client.call('GetIngestion', { id }, as(tenant)),
      (r) => r.job?.state !== 'JOB_STATE_RUNNING',
      240_000,
    )
    t.match(read.job, { state: 'JOB_STATE_APPLYING', accepted: String(n - bad.size), rejected: String(bad.size) })

    const items = async () =>
      (await cat.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE tenant = $1', [tenant])).rows[0]?.n ?? 0
    const ingest = await startIngestConsumer(kafka, {
      pool: cat.pool,
      producer,
      log,
      metrics: createMetrics({ service: 'applied-load', defaultMetrics: false }),
      groupId: group,
    })
    t.teardown(() => ingest.stop())
    // Each look at the job reads it first and the catalog after: a job completed early would be caught with fewer items.
    const seen = new Map<string, number>()
    let job: ingestion.Job__Output | null = null
    for (let look = 0; ; look++) {
      job = (await client.call('GetIngestion', { id }, as(tenant))).job
      const landed = await items()
      const state = job?.state ?? ''
      seen.set(state, (seen.get(state) ?? 0) + 1)
      if (state === 'JOB_STATE_COMPLETED') {
        t.equal(landed, n - bad.size, 'every accepted record is in the catalog when the job says completed')
        break
      }
      if (state !== 'JOB_STATE_APPLYING' || look > 6_000) throw new Error(`not applying nor completed: ${JSON.stringify(job)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    t.match(job, { applied: String(n - bad.size), catalog_rejected: '0' })
    t.ok((seen.get('JOB_STATE_APPLYING') ?? 0) > 0, 'the job was seen applying while the catalog caught up')
    t.equal((await finished(client, tenant, id)).state, 'JOB_STATE_COMPLETED')
  },
)
