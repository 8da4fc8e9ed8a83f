import { startIngestConsumer, startTestCatalog } from '@catalog/catalog-service/testing'
import type { Pool } from '@catalog/kit'
import { createMetrics } from '@catalog/kit'
import { silentLogger, startAtEnd } from '@catalog/kit/testing'
import type { ingestion } from '@catalog/proto'
import { events, toTimestamp } from '@catalog/proto'
import t from 'tap'
import { replayOf } from '../src/jobs/job-service.ts'
import { startTestIngestion } from '../src/testing.ts'
import { appliedReader, broker } from './applied-helpers.ts'
import type { Tap } from './helpers.ts'
import { as, finished, ingestionClient, item, ndjson, writeInput } from './helpers.ts'

const log = silentLogger()

/**
 * The write path of a load: ingestion (jobs complete once applied, reading the catalog's totals),
 * the catalog's ingest consumer (a record the database refuses goes to the DLQ at its first
 * failure), each in a group of its own from the broker's end.
 */
async function writePath(t: Tap, name: string) {
  const cat = await startTestCatalog(t)
  const ing = await startTestIngestion(t, { awaitApplied: true })
  const { kafka, producer } = await broker(t, name)
  const group = `${name}-${Date.now()}`
  await startAtEnd(kafka, `${group}-ingest`, events.INGESTION_TOPICS.record)
  const ingest = await startIngestConsumer(kafka, {
    pool: cat.pool,
    producer,
    log,
    metrics: createMetrics({ service: name, defaultMetrics: false }),
    groupId: `${group}-ingest`,
    maxAttempts: 1,
  })
  t.teardown(() => ingest.stop())
  await appliedReader(t, ing, kafka, `${group}-applied`, `${group}-ingest`)
  return { cat, ing, client: ingestionClient(t, ing.address) }
}

const items = async (pool: Pool, tenant: string) =>
  (
    await pool.query<{ n: number; versions: number }>(
      'SELECT count(*)::int AS n, coalesce(sum(version), 0)::int AS versions FROM items WHERE tenant = $1',
      [tenant],
    )
  ).rows[0]

t.test('200 dead letters, their cause fixed, re-driven: each lands once, and a second replay re-drives none', async (t) => {
  const { cat, ing, client } = await writePath(t, 'replay')
  const tenant = `replay-${Date.now()}`
  // The catalog's database refuses these titles (as a schema out of step would): set aside to the DLQ.
  await cat.pool.query(`ALTER TABLE items ADD CONSTRAINT refuses_broken CHECK (title NOT LIKE 'Broken%')`)
  const records = [
    ...Array.from({ length: 200 }, (_, i) => item(i, { title: `Broken ${i}` })),
    ...Array.from({ length: 50 }, (_, i) => item(1_000 + i)),
  ]
  // Two lines ingestion's own checks refuse: re-driven, they are refused again.
  const body = `${ndjson(records)}{"external_id": "cut\n{"title": "no key"}\n`
  const uri = await writeInput(ing.fileRoot, tenant, 'load.ndjson', body)
  const started = await client.call('StartIngestion', { uri }, as(tenant))
  const load = await finished(client, tenant, started.job?.id ?? '')
  t.match(
    load,
    { state: 'JOB_STATE_COMPLETED', accepted: '250', rejected: '2', applied: '50', catalog_rejected: '200' },
    'the job completed: every accepted record applied or refused',
  )
  t.same(await items(cat.pool, tenant), { n: 50, versions: 50 })

  await cat.pool.query('ALTER TABLE items DROP CONSTRAINT refuses_broken')
  const replay = await client.call('ReplayDeadLetters', { job_id: load.id }, as(tenant))
  t.match(replay.job, { origin: 'replay', uri: `dlq:job/${load.id}`, state: 'JOB_STATE_RUNNING' })
  const first = await finished(client, tenant, replay.job?.id ?? '')
  t.match(
    first,
    { state: 'JOB_STATE_COMPLETED', processed: '202', accepted: '200', rejected: '2', applied: '200', catalog_rejected: '0' },
    'the 200 set aside applied; the 2 refused by ingestion refused again',
  )
  const reasons = (job: ingestion.Job__Output) => job.errors.map((e) => `${e.field}: ${e.reason}`).sort()
  t.same(reasons(first), reasons(load), 'for the same reasons as the first time')
  t.equal(reasons(first).length, 2)
  t.same(await items(cat.pool, tenant), { n: 250, versions: 250 }, 'each record landed once')

  const again = await client.call('ReplayDeadLetters', { job_id: load.id }, as(tenant))
  t.match(
    await finished(client, tenant, again.job?.id ?? ''),
    { state: 'JOB_STATE_COMPLETED', processed: '0', accepted: '0' },
    'a second replay of the job re-drives nothing: each dead letter was re-driven once',
  )
  t.same(await items(cat.pool, tenant), { n: 250, versions: 250 })

  const elsewhere = await client.call('ReplayDeadLetters', { job_id: load.id }, as('someone-else')).catch((e: unknown) => e)
  t.match(elsewhere, { code: 5 }, "another tenant's job is not found")
})

t.test("a window re-drives the tenant's dead letters of every job in it, no other tenant's", async (t) => {
  const { cat, ing, client } = await writePath(t, 'replay-window')
  const tenant = `replay-w-${Date.now()}`
  const other = `${tenant}-other`
  await cat.pool.query(`ALTER TABLE items ADD CONSTRAINT refuses_broken CHECK (title NOT LIKE 'Broken%')`)
  const since = new Date()
  const run = async (who: string, name: string, content: string) => {
    const uri = await writeInput(ing.fileRoot, who, name, content)
    const started = await client.call('StartIngestion', { uri }, as(who))
    return finished(client, who, started.job?.id ?? '')
  }
  await run(tenant, 'a.ndjson', ndjson([item(1, { title: 'Broken a' }), item(2)]))
  // A CSV row ingestion refuses: read back as its job read it, refused again for the same reason.
  const csv = await run(
    tenant,
    'b.csv',
    'external_id,title,price_amount_minor,price_currency\nb1,Broken b,100,EUR\nb2,Fine b,-5,EUR\n',
  )
  t.match(csv, { accepted: '1', rejected: '1', catalog_rejected: '1' })
  await run(other, 'c.ndjson', ndjson([item(3, { title: 'Broken c' })]))
  await cat.pool.query('ALTER TABLE items DROP CONSTRAINT refuses_broken')

  const replay = await client.call('ReplayDeadLetters', { since: toTimestamp(since), until: toTimestamp(new Date()) }, as(tenant))
  const done = await finished(client, tenant, replay.job?.id ?? '')
  t.match(done, { state: 'JOB_STATE_COMPLETED', processed: '3', accepted: '2', rejected: '1', applied: '2' })
  t.same(
    done.errors.map((e) => [e.field, e.reason]),
    csv.errors.map((e) => [e.field, e.reason]),
    'the CSV row refused as the first time',
  )
  const titles = await cat.pool.query<{ tenant: string; title: string }>(
    "SELECT tenant, title FROM items WHERE title LIKE 'Broken%' ORDER BY title",
  )
  t.same(
    titles.rows,
    [
      { tenant, title: 'Broken a' },
      { tenant, title: 'Broken b' },
    ],
    "the other tenant's dead letter stays where it is",
  )
})

t.test('a replay names its dead letters: a job, or a window of at most 31 days', async (t) => {
  const now = new Date('2026-12-07T12:00:00Z')
  const req = (r: Partial<ingestion.ReplayDeadLettersRequest>) =>
    ({ job_id: '', since: null, until: null, ...r }) as ingestion.ReplayDeadLettersRequest__Output
  const at = (iso: string) => toTimestamp(new Date(iso))
  const field = (r: Partial<ingestion.ReplayDeadLettersRequest>) => {
    try {
      replayOf(req(r), now)
      return 'accepted'
    } catch (err) {
      return (err as { violations: { field: string }[] }).violations.map((v) => v.field).join()
    }
  }
  t.same(replayOf(req({ job_id: '0193A6A4-2222-7000-8000-000000000001' }), now), {
    of: '0193a6a4-2222-7000-8000-000000000001',
  })
  t.same(replayOf(req({ since: at('2026-12-01T00:00:00Z') }), now), { since: new Date('2026-12-01T00:00:00Z'), until: now })
  t.equal(field({}), 'job_id')
  t.equal(field({ job_id: 'x' }), 'job_id')
  t.equal(field({ job_id: '0193a6a4-2222-7000-8000-000000000001', since: at('2026-12-01T00:00:00Z') }), 'since')
  t.equal(field({ since: at('2026-12-07T11:00:00Z'), until: at('2026-12-07T10:00:00Z') }), 'until', 'until after since')
  t.equal(field({ since: at('2026-12-08T00:00:00Z') }), 'since', 'since in the past')
  t.equal(field({ since: at('2026-10-01T00:00:00Z'), until: at('2026-10-20T00:00:00Z') }), 'since', 'within the topic’s 30 days')
  t.equal(field({ since: at('2026-11-10T00:00:00Z'), until: at('2026-12-20T00:00:00Z') }), 'until', 'at most 31 days')
  t.equal(field({ since: at('2026-11-10T00:00:00Z'), until: at('2026-12-07T00:00:00Z') }), 'accepted')
})
