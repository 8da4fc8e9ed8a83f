import { randomUUID } from 'node:crypto'
import type { Pool } from '@catalog/kit'
import { cloudEventHeaders } from '@catalog/kit'
import { pollUntil } from '@catalog/kit/testing'
import { events } from '@catalog/proto'
import t from 'tap'
import type { JobRow } from '../src/jobs/job-store.ts'
import { failUnapplied, finishJob, getJob, recordApplied } from '../src/jobs/job-store.ts'
import { startTestIngestion } from '../src/testing.ts'
import { appliedReader, broker, CATALOG_GROUP } from './applied-helpers.ts'
import { as, ingestionClient, item, ndjson, writeInput } from './helpers.ts'

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
