import type { CallContext, Kafka, PoolClient } from '@catalog/kit'
import { decodeCursor, encodeCursor, withTransaction } from '@catalog/kit'
import type { ingestion } from '@catalog/proto'
import { events, fromTimestamp } from '@catalog/proto'
import { v7 as uuidv7 } from 'uuid'
import type { DropSkip } from '../drops/drop-retries.ts'
import { DROP_RETRY, dropStep, logVerdict, skipOf } from '../drops/drop-retries.ts'
import { codes, invalid, JobFailure, jobCodes, jobFinished, jobNotFound, jobNotRetryable, tooManyJobs } from '../errors.ts'
import type { Format, InputShape } from '../formats/read-records.ts'
import type { Source } from '../sources/source.ts'
import { pickSource } from '../sources/source.ts'
import type { ReplayFilter } from './dead-letters.ts'
import { deadLetterLines } from './dead-letters.ts'
import { unlessAborted } from './job-cancel.ts'
import type { RunnerDeps } from './job-runner.ts'
import { publishJobEvent, runJob } from './job-runner.ts'
import type { JobOrigin, JobRow, NewJob } from './job-store.ts'
import {
  countLiveJobs,
  findByIdempotencyKey,
  findLatestDrop,
  findLiveOrDone,
  getJob,
  insertJob,
  listJobs,
  releaseFile,
  requestCancel,
} from './job-store.ts'
import { toJob } from './job-view.ts'

export interface JobServiceDeps extends RunnerDeps {
  sources: { file: Source; s3?: Source; gists?: Source }
  /** What a replay reads the DLQ with (the service's); without it, no replays (the drops CronJob). */
  kafka?: Kafka
  /** The key prefix or folder a tenant may read (`tenants/acme/`). */
  areaOf: (tenant: string) => string
  leaseMs: number
  /** Jobs one tenant may have running at once. */
  maxRunningJobs: number
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const KEY = /^[\x21-\x7e]{1,200}$/
const SOURCE = /^\S{1,100}$/
const UPLOAD_FORMATS: readonly Format[] = ['ndjson', 'json']
const PAGE = { default: 20, max: 100 }

/**
 * The jobs this process runs: a file start returns at once with the running job; an upload's job
 * settles when its stream ends.
 */
export function createJobService(deps: JobServiceDeps) {
  const running = new Set<Promise<unknown>>()
  // Cancels reach a job of this process at once; a job of another replica sees the flag at its next save.
  const cancels = new Map<string, AbortController>()
  const track = (id: string, run: (signal: AbortSignal) => Promise<JobRow>) => {
    const controller = new AbortController()
    cancels.set(id, controller)
    const p = run(controller.signal).finally(() => {
      running.delete(p)
      cancels.delete(id)
    })
    running.add(p)
    return p
  }

  /**
   * Refuses a new job when the tenant runs its limit already. Last of the locks a start takes, and
   * per tenant, so concurrent starts on any replica count one after the other.
   */
  const checkLimit = async (c: PoolClient, tenant: string) => {
    await lock(c, ['running-jobs', tenant])
    if ((await countLiveJobs(c, tenant, deps.leaseMs)) >= deps.maxRunningJobs) throw tooManyJobs(deps.maxRunningJobs)
  }

  /**
   * Records a new job (within the tenant's limit) and announces it, unless `same` finds the job
   * that answers the start instead (one a start under the same key made already): its lock makes
   * "find, else insert" atomic across replicas. `find` may also say which attempt the new job is.
   */
  const create = async (
    job: Omit<NewJob, 'id'>,
    same?: { key: unknown[]; find: (c: PoolClient) => Promise<JobRow | { attempt: number } | undefined> },
  ): Promise<{ job: JobRow; duplicate: boolean }> => {
    const created = await withTransaction(deps.pool, async (c) => {
      if (same) await lock(c, same.key)
      const found = await same?.find(c)
      if (found && isJob(found)) return { job: found, duplicate: true }
      await checkLimit(c, job.tenant)
      return { job: await insertJob(c, { id: uuidv7(), ...job, ...found }), duplicate: false }
    })
    if (!created.duplicate) await publishJobEvent(deps.producer, events.INGESTION_TYPES.jobStarted, created.job)
    return created
  }

  /** The file at `uri` in the tenant's area, and the job that would read it. */
  const fileAt = async (tenant: string, uri: string, defaultSource: string) => {
    const { source, url } = pickSource(uri, deps.sources)
    if (defaultSource) checkSource(defaultSource)
    const found = await source.find(url, deps.areaOf(tenant), {
      tenant,
      previous: async (uri) => {
        const { rows } = await deps.pool.query<{ content_key: string }>(
          `SELECT content_key FROM jobs WHERE tenant = $1 AND uri = $2 AND content_key IS NOT NULL
              AND state IN ('running', 'applying', 'completed')
            ORDER BY created_at DESC LIMIT 1`,
          [tenant, uri],
        )
        return rows[0]?.content_key
      },
    })
    const job = {
      tenant,
      uri: found.uri,
      format: found.shape.gzip ? `${found.shape.format}+gzip` : found.shape.format,
      contentKey: found.contentKey,
      idempotencyKey: null,
      defaultSource: defaultSource || found.name.replace(/\..*$/, '').replace(/\s+/g, '-').slice(0, 100) || 'file',
      bytesTotal: found.size,
    }
    return { found, job, key: [tenant, found.uri, found.contentKey] }
  }

  /**
   * Records and runs a job for a file, one start per file at a time: a completed or live job of
   * the same file answers instead (a duplicate), or what `then` finds in the same transaction.
   */
  const runFile = async (
    { found, job, key }: Awaited<ReturnType<typeof fileAt>>,
    origin: JobOrigin,
    then?: (c: PoolClient) => Promise<JobRow | { attempt: number } | undefined>,
  ) => {
    const result = await create(
      { ...job, origin },
      {
        key,
        find: async (c) => (await findLiveOrDone(c, job.tenant, found.uri, found.contentKey, deps.leaseMs)) ?? then?.(c),
      },
    )
    if (!result.duplicate)
      void track(result.job.id, (signal) => runJob(deps, result.job, found.open(signal), found.shape, signal))
    return result
  }

  /** Starts a job for the file at `uri`, or answers the job that already did (a duplicate). */
  async function startFile(tenant: string, uri: string, defaultSource: string): Promise<{ job: JobRow; duplicate: boolean }> {
    return runFile(await fileAt(tenant, uri, defaultSource), 'request')
  }

  /**
   * A file of the drop folder, as a scan finds it: its first attempt; its next one once the last
   * failed on a transient cause and waited out its backoff; else nothing (it is done or running,
   * whatever started it; its drop was cancelled, is quarantined or still waits), and the step says
   * which. The step is taken under the file's lock, in the transaction that starts the job, so
   * scans on every replica and the CronJob agree.
   */
  async function startDrop(tenant: string, uri: string): Promise<{ step: 'started' | DropSkip; job: JobRow }> {
    const file = await fileAt(tenant, uri, '')
    const { found } = file
    const { job, duplicate } = await runFile(file, 'drop', async (c) => {
      const last = await findLatestDrop(c, tenant, found.uri, found.contentKey)
      const step = await dropStep(c, last, deps.options.dropRetry ?? DROP_RETRY, new Date())
      if ('start' in step) return { attempt: step.start }
      if (step.judged) logVerdict(deps.log, step.job)
      return step.job
    })
    return { step: duplicate ? skipOf(job) : 'started', job }
  }

  /**
   * Starts a failed file job's file again, as its first attempt: what an operator does once the
   * cause is fixed, and how a quarantined drop is released (every quarantined attempt of the file).
   * The file is read as it is now; one that is gone is released all the same, and answers 404.
   */
  async function retry(tenant: string, id: string): Promise<{ job: JobRow; duplicate: boolean }> {
    const failed = await getJob(deps.pool, tenant, id)
    if (!failed) throw jobNotFound(id)
    if (failed.state !== 'failed') throw jobNotRetryable(id, `it is ${failed.state}, and only a failed job is`)
    if (failed.origin === 'upload') throw jobNotRetryable(id, 'an upload is not kept: upload it again')
    if (failed.origin === 'replay') throw jobNotRetryable(id, 'a replay is replayed again, not retried')
    const file = await fileAt(tenant, failed.uri, failed.default_source).catch(async (err: unknown) => {
      // Nothing to start: its quarantine is over all the same. A source away releases nothing.
      if ((err as { code?: string }).code === codes.sourceNotFound) await releaseFile(deps.pool, tenant, failed.uri)
      throw err
    })
    return runFile(file, failed.origin, async (c) => {
      await releaseFile(c, tenant, failed.uri)
      return undefined
    })
  }

  /**
   * Starts a job for an upload, or answers the job its idempotency key already started; `job`
   * settles when the upload has been read to its end.
   */
  async function startUpload(
    tenant: string,
    header: ReturnType<typeof uploadHeader>,
    chunks: AsyncIterable<Buffer>,
  ): Promise<{ job: Promise<JobRow>; duplicate: boolean }> {
    const key = header.idempotencyKey
    const created = await create(
      {
        tenant,
        uri: `upload:${header.name}`.slice(0, 2048),
        format: header.format,
        contentKey: null,
        idempotencyKey: key,
        defaultSource: header.defaultSource,
        bytesTotal: null,
        origin: 'upload',
      },
      key ? { key: [tenant, key], find: (c) => findByIdempotencyKey(c, tenant, key) } : undefined,
    )
    if (created.duplicate) return { job: Promise.resolve(created.job), duplicate: true }
    const shape: InputShape = { format: header.format, gzip: false }
    return { job: track(created.job.id, (signal) => runJob(deps, created.job, chunks, shape, signal)), duplicate: false }
  }

  /**
   * Re-drives the tenant's dead letters as a new job (origin `replay`): those of the job `of`, or
   * those dead-lettered within a window; each is claimed first, so a record is re-driven once
   * across replays (dead-letters.ts). Within the tenant's limit of running jobs, like any job.
   */
  async function replay(tenant: string, what: { of: string } | { since: Date; until: Date }): Promise<JobRow> {
    const { kafka } = deps
    if (!kafka) throw new Error('replays need the service’s Kafka client')
    let filter: ReplayFilter
    let uri: string
    if ('of' in what) {
      const of = await getJob(deps.pool, tenant, what.of)
      if (!of) throw jobNotFound(what.of)
      // A few minutes before the job began: its first rejects carry the producing pod's clock, not the database's.
      filter = { jobId: of.id, since: new Date(of.created_at.getTime() - CLOCK_SKEW_MS) }
      uri = `dlq:job/${of.id}`
    } else {
      filter = what
      uri = `dlq:${what.since.toISOString()}/${what.until.toISOString()}`
    }
    const { job } = await create({
      tenant,
      uri,
      format: 'ndjson',
      contentKey: null,
      idempotencyKey: null,
      defaultSource: 'replay',
      bytesTotal: null,
      origin: 'replay',
    })
    const shape: InputShape = { format: 'ndjson', gzip: false }
    void track(job.id, async (signal) => {
      // The reader stops with the run however the run ends (a cancel seen by another replica, the
      // lease sweep, an error): its consumer leaves the group and disconnects.
      const reading = new AbortController()
      const stop = () => reading.abort()
      signal.addEventListener('abort', stop, { once: true })
      try {
        const lines = deadLetterLines({ kafka, pool: deps.pool, log: deps.log }, job, filter, reading.signal)
        // Refused again is one of a replay's outcomes, counted, never a reason to fail it (and give its claims back).
        const replaying = { ...deps, options: { ...deps.options, maxErrorRatio: 1 } }
        return await runJob(replaying, job, lines, shape, signal)
      } finally {
        signal.removeEventListener('abort', stop)
        reading.abort()
      }
    })
    return job
  }

  return {
    startFile,
    startDrop,
    retry,
    replay,
    startUpload,
    /** A cancel of a job this process runs: it ends at once (another replica's sees the flag at its next save). */
    cancelHere: (id: string) => cancels.get(id)?.abort(),
    /** Waits for the jobs of this process (on shutdown, within the drain time). */
    drain: () => Promise.allSettled([...running]),
  }
}

export type JobService = ReturnType<typeof createJobService>

/** The calls of ingestion.v1.IngestionService, over the jobs of `jobs`. */
export function jobHandlers(jobs: JobService, deps: Pick<JobServiceDeps, 'pool'>) {
  return {
    async StartIngestion(
      req: ingestion.StartIngestionRequest__Output,
      ctx: CallContext,
    ): Promise<ingestion.StartIngestionResponse> {
      const { tenant } = ctx.principal()
      const { job, duplicate } = await jobs.startFile(tenant, req.uri, req.default_source)
      return { job: toJob(job), duplicate }
    },

    async IngestItems(
      requests: AsyncIterable<ingestion.IngestItemsRequest__Output>,
      ctx: CallContext,
    ): Promise<ingestion.IngestItemsResponse> {
      const { tenant } = ctx.principal()
      const iterator = requests[Symbol.asyncIterator]()
      const first = await iterator.next()
      const header = uploadHeader(first.done ? undefined : first.value.header)
      const { job, duplicate } = await jobs.startUpload(tenant, header, uploadChunks(iterator, ctx.signal))
      return { job: toJob(await job), duplicate }
    },

    async GetIngestion(req: ingestion.GetIngestionRequest__Output, ctx: CallContext): Promise<ingestion.GetIngestionResponse> {
      const { tenant } = ctx.principal()
      if (!UUID.test(req.id)) throw invalid([{ field: 'id', description: 'must be a UUID' }])
      const row = await getJob(deps.pool, tenant, req.id.toLowerCase())
      if (!row) throw jobNotFound(req.id)
      return { job: toJob(row) }
    },

    async ListIngestions(
      req: ingestion.ListIngestionsRequest__Output,
      ctx: CallContext,
    ): Promise<ingestion.ListIngestionsResponse> {
      const { tenant } = ctx.principal()
      const { size, after } = pageOf(req.page)
      const rows = await listJobs(deps.pool, tenant, after, size + 1)
      const page = rows.slice(0, size)
      const last = page.at(-1)
      return {
        jobs: page.map((r) => toJob(r)),
        page: { next_cursor: rows.length > size && last ? encodeCursor({ id: last.id }) : '' },
      }
    },

    async RetryIngestion(
      req: ingestion.RetryIngestionRequest__Output,
      ctx: CallContext,
    ): Promise<ingestion.RetryIngestionResponse> {
      const { tenant } = ctx.principal()
      if (!UUID.test(req.id)) throw invalid([{ field: 'id', description: 'must be a UUID' }])
      const { job, duplicate } = await jobs.retry(tenant, req.id.toLowerCase())
      return { job: toJob(job), duplicate }
    },

    async ReplayDeadLetters(
      req: ingestion.ReplayDeadLettersRequest__Output,
      ctx: CallContext,
    ): Promise<ingestion.ReplayDeadLettersResponse> {
      const { tenant } = ctx.principal()
      return { job: toJob(await jobs.replay(tenant, replayOf(req))) }
    },

    async CancelIngestion(
      req: ingestion.CancelIngestionRequest__Output,
      ctx: CallContext,
    ): Promise<ingestion.CancelIngestionResponse> {
      const { tenant } = ctx.principal()
      if (!UUID.test(req.id)) throw invalid([{ field: 'id', description: 'must be a UUID' }])
      const row = await requestCancel(deps.pool, tenant, req.id.toLowerCase())
      if (row) {
        jobs.cancelHere(row.id)
        return { job: toJob(row) }
      }
      const existing = await getJob(deps.pool, tenant, req.id.toLowerCase())
      if (!existing) throw jobNotFound(req.id)
      throw jobFinished(req.id, existing.state)
    },
  }
}

const isJob = (found: JobRow | { attempt: number }): found is JobRow => 'id' in found

/** Serialises, across replicas, the transactions that name the same `key`: an advisory lock held until commit. */
function lock(c: PoolClient, key: unknown[]) {
  return c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JSON.stringify(key)])
}

/** A job's default source: 1 to 100 characters without spaces. */
function checkSource(defaultSource: string): void {
  if (!SOURCE.test(defaultSource))
    throw invalid([{ field: 'default_source', description: 'must be 1 to 100 characters without spaces' }])
}

/** The upload's first message, checked: its format, default source, idempotency key and name. */
function uploadHeader(header: ingestion.IngestItemsRequest__Output['header'] | undefined) {
  if (!header) throw invalid([{ field: 'header', description: 'the first message must be the upload header' }])
  const format = (header.format || 'ndjson') as Format
  if (!UPLOAD_FORMATS.includes(format)) throw invalid([{ field: 'header.format', description: 'must be ndjson or json' }])
  if (header.idempotency_key && !KEY.test(header.idempotency_key))
    throw invalid([{ field: 'idempotency_key', description: 'must be 1 to 200 printable ASCII characters' }])
  const defaultSource = header.default_source || 'bulk'
  checkSource(defaultSource)
  return { format, defaultSource, idempotencyKey: header.idempotency_key || null, name: header.name || 'bulk' }
}

/** The upload's bytes, after its header; a call cancelled while the job waits for its next part ends the wait at once. */
async function* uploadChunks(iterator: AsyncIterator<ingestion.IngestItemsRequest__Output>, cancelled: AbortSignal) {
  const uploadCancelled = () => new JobFailure(jobCodes.uploadCancelled)
  const read = () => unlessAborted(iterator.next(), cancelled, uploadCancelled)
  for (let next = await read(); !next.done; next = await read()) {
    const chunk = next.value.chunk
    if (chunk && chunk.length > 0) yield chunk
  }
  // A cancelled call may end the stream as a finished upload does: what came is not the whole.
  // grpc-js hands the handler a reset stream's end as a half-close, and tells of the cancel
  // only when the HTTP/2 stream closes, later in the same turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve))
  if (cancelled.aborted) throw uploadCancelled()
}

/** A list call's page: its size (default 20, at most 100) and the id it continues after. */
function pageOf(page: ingestion.ListIngestionsRequest__Output['page']) {
  const size = page?.size || PAGE.default
  if (size < 0 || size > PAGE.max) throw invalid([{ field: 'page.size', description: `must be 1 to ${PAGE.max}` }])
  const after = page?.cursor
    ? decodeCursor(page.cursor, 'page.cursor', (v) => {
        const id = (v as { id?: unknown } | null)?.id
        return typeof id === 'string' && UUID.test(id) ? id : undefined
      })
    : undefined
  return { size, after }
}

/** The longest window of dead letters one replay reads. */
const MAX_REPLAY_WINDOW_MS = 31 * 24 * 3_600_000
/** How long ingestion.record.dlq.v1 keeps a record (topics.ts): a window starting earlier finds nothing there. */
const DLQ_RETENTION_MS = 30 * 24 * 3_600_000
/** How far a pod's clock may run behind the database's. */
const CLOCK_SKEW_MS = 5 * 60_000

/** What a ReplayDeadLetters request re-drives: one job's dead letters, or a window's; else a 400 naming the field. */
export function replayOf(
  req: ingestion.ReplayDeadLettersRequest__Output,
  now = new Date(),
): { of: string } | { since: Date; until: Date } {
  const since = req.since ? fromTimestamp(req.since) : undefined
  const until = req.until ? fromTimestamp(req.until) : undefined
  if (req.job_id) {
    if (!UUID.test(req.job_id)) throw invalid([{ field: 'job_id', description: 'must be a UUID' }])
    if (since || until)
      throw invalid([{ field: since ? 'since' : 'until', description: 'must be empty when job_id names the dead letters' }])
    return { of: req.job_id.toLowerCase() }
  }
  if (!since) throw invalid([{ field: 'job_id', description: 'is required, or a window from since' }])
  if (Number.isNaN(since.getTime()) || since.getTime() < now.getTime() - DLQ_RETENTION_MS)
    throw invalid([{ field: 'since', description: 'must be within the last 30 days (the dead-letter topic keeps no more)' }])
  if (since.getTime() >= now.getTime()) throw invalid([{ field: 'since', description: 'must be in the past' }])
  const end = until ?? now
  if (Number.isNaN(end.getTime()) || end.getTime() <= since.getTime())
    throw invalid([{ field: 'until', description: 'must be after since' }])
  if (end.getTime() - since.getTime() > MAX_REPLAY_WINDOW_MS)
    throw invalid([{ field: 'until', description: 'must be at most 31 days after since' }])
  return { since, until: end }
}
