import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pollUntil, silentLogger } from '@catalog/kit/testing'
import { fromTimestamp } from '@catalog/proto'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { v7 as uuidv7 } from 'uuid'
import { scanDrops } from '../src/drops/daily-drops.ts'
import { verdictOf } from '../src/drops/drop-retries.ts'
import { failAbandoned, insertJob } from '../src/jobs/job-store.ts'
import { contentKeyOf, fileSource } from '../src/sources/file-source.ts'
import { startTestIngestion } from '../src/testing.ts'
import { as, finished, ingestionClient, item, ndjson, writeInput } from './helpers.ts'

t.test('a drop folder scan starts each file once, however often it runs', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const tenant = `drops-${Date.now()}`
  await writeInput(ing.fileRoot, tenant, 'daily/2026-11-20.ndjson', ndjson([item(1), item(2)]))
  await writeInput(ing.fileRoot, tenant, 'daily/2026-11-21.ndjson', ndjson([item(3)]))
  await writeInput(ing.fileRoot, tenant, 'daily/notes.txt', 'not a catalog file')
  const files = fileSource(ing.fileRoot)
  const deps = {
    list: (prefix: string) => files.list(new URL(prefix), ing.areaOf(tenant)),
    start: (uri: string) => ing.jobs.startDrop(tenant, uri),
    log: silentLogger(),
  }
  const daily = `file:///tenants/${tenant}/daily/`
  const none = { started: 0, failed: 0, gone: 0, running: 0, applying: 0, completed: 0, cancelled: 0, quarantined: 0, waiting: 0 }
  t.same(await scanDrops(deps, daily), { ...none, started: 2 })
  const second = await scanDrops(deps, daily)
  t.equal(second.started, 0, 'a second scan starts nothing')
  t.equal(second.running + second.completed, 2, 'both are running or done')

  await writeInput(ing.fileRoot, tenant, 'daily/2026-11-22.ndjson', ndjson([item(4)]))
  t.equal((await scanDrops(deps, daily)).started, 1, 'the new drop, only')
  const { jobs } = await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(tenant))
  t.same(jobs.map((j) => j.uri).sort(), [`${daily}2026-11-20.ndjson`, `${daily}2026-11-21.ndjson`, `${daily}2026-11-22.ndjson`])
  for (const j of jobs) t.equal((await finished(client, tenant, j.id)).state, 'JOB_STATE_COMPLETED')
})

t.test('an unchanged file keeps its content key; a rewritten or replaced one gets a new one', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ingest-keys-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'tenants', 'acme', 'daily'), { recursive: true })
  const path = join(root, 'tenants', 'acme', 'daily', 'a.ndjson')
  await writeFile(path, ndjson([item(1)]))
  const anHourAgo = new Date(Date.now() - 3_600_000)
  await utimes(path, anHourAgo, anHourAgo)
  const files = fileSource(root)
  const keys = async () => {
    const uris = await files.list(new URL('file:///tenants/acme/daily/'), 'tenants/acme/')
    return Promise.all(uris.map(async (uri) => (await files.find(new URL(uri), 'tenants/acme/')).contentKey))
  }

  const [first] = await keys()
  t.same(await keys(), [first], 'the second scan finds the same key')
  t.equal(first, contentKeyOf(await stat(path, { bigint: true })), "made of the file's stat, not of its bytes")

  // Rewritten in place with as many bytes: only its times tell it apart.
  await writeFile(path, ndjson([item(3)]))
  t.equal((await readFile(path)).length, ndjson([item(1)]).length)
  await utimes(path, anHourAgo, new Date(Date.now() - 1_800_000))
  const [second] = await keys()
  t.not(second, first, 'a changed file gets a new key')
  t.same(await keys(), [second], 'and keeps it in turn')

  // Replaced by a copy with the same bytes and times, as rsync or mv do: another file.
  await copyFile(path, `${path}.tmp`)
  const { mtime } = await stat(path)
  await utimes(`${path}.tmp`, anHourAgo, mtime)
  await rename(`${path}.tmp`, path)
  t.not((await keys())[0], second, 'a file put in its place gets a new key')
})

/** The tenant's drop folder `daily/` on the test service: one scan of it as the service runs it, and attempts recorded by hand. */
function dropFolder(ing: Awaited<ReturnType<typeof startTestIngestion>>, tenant: string) {
  const files = fileSource(ing.fileRoot)
  const daily = `file:///tenants/${tenant}/daily/`
  const deps = {
    list: (prefix: string) => files.list(new URL(prefix), ing.areaOf(tenant)),
    start: (uri: string) => ing.jobs.startDrop(tenant, uri),
    log: silentLogger(),
  }
  /** A running attempt of the file at `uri`, recorded as a scan would start it (its state for the test to set). */
  const dropAttempt = async (uri: string, attempt: number) => {
    const found = await files.find(new URL(uri), ing.areaOf(tenant))
    return insertJob(ing.pool, {
      id: uuidv7(),
      tenant,
      uri: found.uri,
      format: 'ndjson',
      contentKey: found.contentKey,
      idempotencyKey: null,
      defaultSource: 'daily',
      bytesTotal: found.size,
      origin: 'drop',
      attempt,
    })
  }
  return { scan: () => scanDrops(deps, daily), dropAttempt }
}

t.test(
  'the wait before a drop is tried again doubles from its base, drawn between half and all of it, up to its cap',
  async (t) => {
    const policy = { maxAttempts: 5, baseMs: 1_000, maxMs: 5_000 }
    const now = new Date('2026-12-01T00:00:00Z')
    const waitOf = (attempt: number, random: number) => {
      const verdict = verdictOf({ error: 'ING_ERR_SOURCE_UNAVAILABLE: x', attempt }, policy, now, () => random)
      return 'retryAt' in verdict ? verdict.retryAt.getTime() - now.getTime() : -1
    }
    t.same(
      [1, 2, 3, 4].map((a) => waitOf(a, 0)),
      [500, 1_000, 2_000, 2_500],
      'half of 1, 2, 4 and (capped) 5 s at the least',
    )
    t.same(
      [1, 2, 3, 4].map((a) => waitOf(a, 1)),
      [1_000, 2_000, 4_000, 5_000],
      'all of it at the most (random() stays below 1)',
    )
    t.same(verdictOf({ error: 'ING_ERR_SOURCE_UNAVAILABLE: x', attempt: 5 }, policy, now), {
      quarantined: 'it failed 5 attempts in a row',
    })
    for (const error of ['ING_ERR_MALFORMED_INPUT: the gzip input is cut short', 'ING_ERR_TOO_MANY_BAD_RECORDS: 9 of 10'])
      t.same(verdictOf({ error, attempt: 1 }, policy, now), { quarantined: 'its input cannot be ingested as it is' }, error)
    for (const error of ['ING_ERR_PUBLISH_FAILED: x', 'ING_ERR_INTERRUPTED: x', 'ING_ERR_JOB_INTERNAL: x'])
      t.ok('retryAt' in verdictOf({ error, attempt: 1 }, policy, now), `${error}: retried`)
  },
)

t.test(
  'a failed drop is retried after its wait, quarantined on a permanent cause or its last attempt, and released by a retry',
  async (t) => {
    const ing = await startTestIngestion(t, { dropRetry: { maxAttempts: 3, baseMs: 60_000, maxMs: 600_000 } })
    const client = ingestionClient(t, ing.address)
    const tenant = `retries-${Date.now()}`
    const { scan, dropAttempt } = dropFolder(ing, tenant)
    const quarantinedGauge = async () =>
      (await ing.metrics.registry.getSingleMetric('ingestion_drops_quarantined')?.get())?.values[0]?.value
    /** A failed attempt of the file, as the sweep leaves a job whose process died: failed, not yet judged. */
    const crashedAttempt = async (uri: string, attempt: number) => {
      const job = await dropAttempt(uri, attempt)
      await ing.pool.query("UPDATE jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1", [job.id])
      await failAbandoned(ing.pool, 30_000)
      return job.id
    }

    // A permanent cause: the file is no gzip. Its one attempt fails, and it is quarantined at once.
    await writeInput(ing.fileRoot, tenant, 'daily/broken.ndjson.gz', 'not gzip at all')
    t.equal((await scan()).started, 1)
    const [broken] = (await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(tenant))).jobs
    const failed = await pollUntil(
      async () => (await client.call('GetIngestion', { id: broken?.id ?? '' }, as(tenant))).job,
      (j) => Boolean(j?.quarantined_at),
    )
    t.match(failed, { state: 'JOB_STATE_FAILED', origin: 'drop', attempt: 1, retry_at: null })
    t.match(failed?.error, /^ING_ERR_MALFORMED_INPUT: .* Quarantined: its input cannot be ingested as it is\.$/)
    t.match(await scan(), { started: 0, quarantined: 1 }, 'no scan starts it again')
    t.equal(await quarantinedGauge(), 1, 'the gauge counts it')

    // Released by an operator: a new job of the file, its first attempt; still broken, it is quarantined again.
    const released = await client.call('RetryIngestion', { id: broken?.id ?? '' }, as(tenant))
    t.match(released, { duplicate: false, job: { origin: 'drop', attempt: 1 } })
    t.not(released.job?.id, broken?.id)
    t.ok((await client.call('GetIngestion', { id: broken?.id ?? '' }, as(tenant))).job?.released_at, 'the old job says when')
    // Still broken, the new attempt fails at once and is quarantined in turn: counted instead of the old one.
    t.match(await finished(client, tenant, released.job?.id ?? ''), { state: 'JOB_STATE_FAILED' })
    await pollUntil(
      async () => (await client.call('GetIngestion', { id: released.job?.id ?? '' }, as(tenant))).job?.quarantined_at,
      Boolean,
    )
    t.equal(await quarantinedGauge(), 1, 'one quarantined file, not two')
    t.match(await scan(), { started: 0, quarantined: 1 })

    // A transient cause: the first attempt's process died. The scan judges it and waits out the backoff.
    const flaky = await writeInput(ing.fileRoot, tenant, 'daily/flaky.ndjson', ndjson([item(1), item(2)]))
    const first = await crashedAttempt(flaky, 1)
    t.match(await scan(), { started: 0, waiting: 1 }, 'not before its wait is over')
    const judged = (await client.call('GetIngestion', { id: first }, as(tenant))).job
    const wait = (judged?.retry_at ? fromTimestamp(judged.retry_at).getTime() : 0) - Date.now()
    t.ok(wait > 25_000 && wait <= 60_000, `the first wait is half to all of the base (${wait} ms)`)
    await ing.pool.query("UPDATE jobs SET retry_at = now() - interval '1 second' WHERE id = $1", [first])
    t.match(await scan(), { started: 1 }, 'then its next attempt starts')
    const [second] = (await client.call('ListIngestions', { page: { size: 1, cursor: '' } }, as(tenant))).jobs
    t.match(await finished(client, tenant, second?.id ?? ''), { state: 'JOB_STATE_COMPLETED', attempt: 2, accepted: '2' })
    t.match(await scan(), { started: 0, completed: 1 }, 'and once it is in, nothing more')

    // The last attempt failed: quarantined, whatever the cause.
    const last = await writeInput(ing.fileRoot, tenant, 'daily/unlucky.ndjson', ndjson([item(3)]))
    await crashedAttempt(last, 3)
    t.match(await scan(), { started: 0, quarantined: 2 })

    // What cannot be retried.
    const refused = (id: string, who = tenant) => client.call('RetryIngestion', { id }, as(who))
    await t.rejects(refused(second?.id ?? ''), {
      code: status.FAILED_PRECONDITION,
      message: /completed, and only a failed job is/,
    })
    await t.rejects(refused(first, 'someone-else'), { code: status.NOT_FOUND }, "another tenant's job is not found")
    await t.rejects(refused('not-a-uuid'), { code: status.INVALID_ARGUMENT })
    const upload = await insertJob(ing.pool, {
      id: uuidv7(),
      tenant,
      uri: 'upload:nightly',
      format: 'ndjson',
      contentKey: null,
      idempotencyKey: null,
      defaultSource: 'bulk',
      bytesTotal: null,
      origin: 'upload',
    })
    await ing.pool.query("UPDATE jobs SET state = 'failed', finished_at = now() WHERE id = $1", [upload.id])
    await t.rejects(refused(upload.id), { code: status.FAILED_PRECONDITION, message: /an upload is not kept/ })
    // A failed attempt of a file that is in by now: the retry answers the job that holds it.
    t.match(await refused(first), { duplicate: true, job: { id: second?.id, state: 'JOB_STATE_COMPLETED' } })
  },
)

t.test(
  'scans agree on each file: concurrent scans start it once, a cancelled drop stays cancelled, a file in by request is done',
  async (t) => {
    const ing = await startTestIngestion(t)
    const client = ingestionClient(t, ing.address)
    const tenant = `agree-${Date.now()}`
    const { scan, dropAttempt } = dropFolder(ing, tenant)
    await writeInput(ing.fileRoot, tenant, 'daily/a.ndjson', ndjson([item(1)]))
    await writeInput(ing.fileRoot, tenant, 'daily/b.ndjson', ndjson([item(2)]))
    const both = await Promise.all([scan(), scan(), scan()])
    t.equal(
      both.reduce((n, c) => n + c.started, 0),
      2,
      'three scans at once start each file once',
    )
    const { jobs } = await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(tenant))
    t.equal(jobs.length, 2)
    for (const j of jobs) await finished(client, tenant, j.id)

    // A cancelled drop stays cancelled: no scan starts it again.
    const c = await writeInput(ing.fileRoot, tenant, 'daily/c.ndjson', ndjson([item(3)]))
    const cancelled = await dropAttempt(c, 1)
    await ing.pool.query("UPDATE jobs SET state = 'cancelled', finished_at = now() WHERE id = $1", [cancelled.id])
    t.match(await scan(), { started: 0, cancelled: 1, completed: 2 })

    // A file of the folder ingested by request first: done for the scan too.
    const d = await writeInput(ing.fileRoot, tenant, 'daily/d.ndjson', ndjson([item(4)]))
    const byRequest = await client.call('StartIngestion', { uri: d }, as(tenant))
    await finished(client, tenant, byRequest.job?.id ?? '')
    t.match(await scan(), { started: 0, cancelled: 1, completed: 3 })
  },
)
