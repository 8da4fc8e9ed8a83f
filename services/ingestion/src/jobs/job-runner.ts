import { randomUUID } from 'node:crypto'
import type { Logger, Metrics, Pool, Producer } from '@catalog/kit'
import { cloudEventHeaders, currentTraceparent } from '@catalog/kit'
import { events } from '@catalog/proto'
import { Counter, Gauge } from 'prom-client'
import type { RetryPolicy } from '../drops/drop-retries.ts'
import { DROP_RETRY, logVerdict, recordVerdict, verdictOf } from '../drops/drop-retries.ts'
import { failedWith, JobFailure, jobCodes, jobError } from '../errors.ts'
import { isRecordError, mapItem } from '../formats/item-mapper.ts'
import type { InputShape } from '../formats/read-records.ts'
import { readRecords } from '../formats/read-records.ts'
import type { DecodedRecord } from '../formats/record-decoder.ts'
import { abortable, cancelWatch, unlessAborted } from './job-cancel.ts'
import type { JobRow, JobStateName, Progress } from './job-store.ts'
import { finishJob, MAX_KEPT_ERRORS, saveProgress } from './job-store.ts'
import { toJob } from './job-view.ts'

export interface RunnerOptions {
  /** What follows a failed attempt of a dropped file (drops/drop-retries.ts); default DROP_RETRY. */
  dropRetry?: RetryPolicy
  /**
   * A run that read every record is `applying` until the catalog applied the accepted ones
   * (INGEST_COMPLETE_WHEN=applied); unset: `completed` once they are published.
   */
  awaitApplied?: boolean
  batchRecords: number
  /** A batch is sent once it holds this many bytes of keys and values, or batchRecords records. */
  batchBytes: number
  progressMs: number
  maxErrorRatio: number
  maxDecompressedBytes: number
}

export interface RunnerDeps {
  pool: Pool
  producer: Producer
  log: Logger
  options: RunnerOptions
  metrics: ReturnType<typeof runnerMetrics>
}

/** Records are checked against the error ratio once this many have been read, and at the end. */
const RATIO_MIN_RECORDS = 1_000
const SOURCE = '/ingestion'
/**
 * What a record error keeps of its field and reason, on the job and in DLQ headers: the input
 * chooses them (an unknown key of a megabyte is a field), the job row and a Kafka header must not.
 */
export const ERROR_LIMITS = { field: 200, reason: 500 } as const

/** At most `max` characters, well-formed and without NUL (which jsonb refuses), marked when cut. */
export function clip(text: string, max: number): string {
  const clean = text.toWellFormed().replaceAll('\0', '\uFFFD')
  return clean.length <= max ? clean : `${clean.slice(0, max - 1).toWellFormed()}…`
}

export type RunnerMetrics = ReturnType<typeof runnerMetrics>

export function runnerMetrics(metrics: Metrics) {
  return {
    records: new Counter({
      name: 'ingestion_records_total',
      help: 'Records read by ingestion jobs, by outcome (accepted, rejected).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    }),
    bytes: new Counter({ name: 'ingestion_bytes_read_total', help: 'Input bytes read.', registers: [metrics.registry] }),
    running: new Gauge({ name: 'ingestion_jobs_running', help: 'Jobs running in this process.', registers: [metrics.registry] }),
    finished: new Counter({
      name: 'ingestion_jobs_finished_total',
      help: 'Jobs finished, by state.',
      labelNames: ['state'],
      registers: [metrics.registry],
    }),
  }
}

/** Publishes a job's change to ingestion.job.v1, for anyone who follows jobs. */
export async function publishJobEvent(producer: Producer, type: string, row: JobRow): Promise<void> {
  const traceparent = currentTraceparent()
  await producer.send({
    topic: events.INGESTION_TOPICS.job,
    acks: -1,
    messages: [
      {
        key: row.id,
        value: events.jobChanged.encode({ job: toJob(row) }),
        headers: cloudEventHeaders({
          id: randomUUID(),
          type,
          source: SOURCE,
          time: new Date(),
          ...(traceparent ? { traceparent } : {}),
        }),
      },
    ],
  })
}

type Message = { key: string; value: Buffer; headers: ReturnType<typeof cloudEventHeaders> }
type TopicMessages = { topic: string; messages: Message[] }

/**
 * A job's next batch to Kafka: its accepted records (to ingestion.record.v1) and its rejects (to
 * the DLQ), sent together once either holds `batchRecords` messages or `batchBytes` bytes.
 */
function jobBatch(
  options: RunnerOptions,
  send: (batch: TopicMessages[]) => Promise<unknown>,
  sent: (accepted: number, rejected: number) => void,
) {
  let records: Message[] = []
  let rejects: Message[] = []
  let bytes = 0
  const discard = () => {
    records = []
    rejects = []
    bytes = 0
  }
  const flush = async () => {
    const batch = [
      ...(records.length > 0 ? [{ topic: events.INGESTION_TOPICS.record, messages: records }] : []),
      ...(rejects.length > 0 ? [{ topic: events.INGESTION_TOPICS.recordDlq, messages: rejects }] : []),
    ]
    if (batch.length > 0) await send(batch)
    sent(records.length, rejects.length)
    discard()
  }
  return {
    flush,
    /** Drops what is not sent yet (a cancelled job sends no more). */
    discard,
    /** Adds a message, sending the batch first when the message would take it past batchBytes. */
    async add(to: 'records' | 'rejects', message: Message) {
      const size = Buffer.byteLength(message.key) + message.value.length
      if (bytes > 0 && bytes + size > options.batchBytes) await flush()
      ;(to === 'records' ? records : rejects).push(message)
      bytes += size
    },
    get full() {
      return records.length + rejects.length >= options.batchRecords || bytes >= options.batchBytes
    },
  }
}

/** A record the job accepted, as ingestion.record.v1 carries it. */
function submitted(key: string, payload: Buffer, traced: { traceparent?: string }): Message {
  return {
    key,
    value: payload,
    headers: cloudEventHeaders({
      id: randomUUID(),
      type: events.INGESTION_TYPES.recordSubmitted,
      source: SOURCE,
      time: new Date(),
      ...traced,
    }),
  }
}

/** A record the job rejected, as the DLQ keeps it: the reason and position, and the raw record (up to 1 MiB) to replay. */
function rejected(
  job: JobRow,
  position: number,
  error: { field: string; reason: string },
  raw: Buffer,
  traced: { traceparent?: string },
): Message {
  const { field, reason } = error
  return {
    key: `${job.tenant}/${job.id}/${position}`,
    value: events.recordRejected.encode({
      tenant: job.tenant,
      job_id: job.id,
      error: { position: String(position), field, reason },
      raw: raw.subarray(0, 1024 * 1024),
    }),
    headers: {
      ...cloudEventHeaders({
        id: randomUUID(),
        type: events.INGESTION_TYPES.recordRejected,
        source: SOURCE,
        time: new Date(),
        ...traced,
      }),
      'dlq-reason': reason,
      'dlq-field': field,
      'dlq-position': String(position),
      'dlq-job': job.id,
      'dlq-uri': job.uri.slice(0, 1000),
    },
  }
}

/**
 * Runs one job to its end: reads the input as a stream (memory stays at one record and one Kafka
 * batch), validates each record, publishes the good ones to ingestion.record.v1 and the bad ones
 * to ingestion.record.dlq.v1 with their reason and position, and saves progress on a timer (which
 * also proves the job alive and notices a cancel). A cancel ends it at once, even while it waits
 * for its source or for Kafka (see job-cancel.ts); what was published stays, the batch not yet
 * sent is dropped. Never throws: every ending is a job state.
 */
export async function runJob(
  deps: RunnerDeps,
  job: JobRow,
  input: AsyncIterable<Buffer>,
  shape: InputShape,
  signal?: AbortSignal,
): Promise<JobRow> {
  const { producer, options, metrics } = deps
  const progress: Progress = { processed: 0, accepted: 0, rejected: 0, bytesRead: 0, newErrors: [] }
  let kept = job.errors.length
  let lastSave = Date.now()
  const { stop, release } = stopper(deps, job.id, signal, () => lastSave)
  // The trace of the call that started the job (the job outlives it): every record carries it.
  const trace = currentTraceparent()
  const traced = trace ? { traceparent: trace } : {}
  metrics.running.inc()

  // Every error out of here is the input's (a consumer's error never reaches a generator at its yield).
  const counted = async function* () {
    try {
      for await (const chunk of abortable(input, stop.signal)) {
        progress.bytesRead += chunk.length
        metrics.bytes.inc(chunk.length)
        yield chunk
      }
    } catch (err) {
      throw failedWith(jobCodes.sourceUnavailable, err)
    }
  }
  // A batch Kafka is slow to take does not hold a cancel up; if it lands later, it stays.
  const publishing = <T>(sending: Promise<T>) =>
    unlessAborted(
      sending.catch((err: unknown) => {
        throw new JobFailure(jobCodes.publishFailed, err)
      }),
      stop.signal,
    )
  const batch = jobBatch(
    options,
    (topicMessages) => publishing(producer.sendBatch({ topicMessages, acks: -1 })),
    (accepted, rejects) => {
      progress.accepted += accepted
      metrics.records.inc({ outcome: 'accepted' }, accepted)
      metrics.records.inc({ outcome: 'rejected' }, rejects)
    },
  )
  /** Saves progress, publishing the batch first unless `publish` is false (a cancelled job sends no more). */
  const save = async (publish = true) => {
    if (publish) await batch.flush()
    else batch.discard()
    const { cancelRequested } = await saveProgress(deps.pool, job.id, progress)
    progress.newErrors = []
    lastSave = Date.now()
    // A cancel seen in the row ends every wait of the run, as one of this process does.
    if (cancelRequested) stop.abort()
  }
  const reject = async (position: number, rawField: string, rawReason: string, raw: Buffer) => {
    const error = { field: clip(rawField, ERROR_LIMITS.field), reason: clip(rawReason, ERROR_LIMITS.reason) }
    progress.rejected++
    if (kept < MAX_KEPT_ERRORS) {
      progress.newErrors.push({ position, ...error })
      kept++
    }
    await batch.add('rejects', rejected(job, position, error, raw, traced))
  }
  /** One record read: into the batch, or rejected with its reason. */
  const take = async (record: DecodedRecord) => {
    if (record.error) return reject(record.position, record.error.field, record.error.reason, record.raw)
    const mapped = mapItem(record.value, {
      tenant: job.tenant,
      jobId: job.id,
      position: record.position,
      defaultSource: job.default_source,
    })
    if (isRecordError(mapped)) return reject(record.position, mapped.field, mapped.reason, record.raw)
    await batch.add('records', submitted(mapped.key, mapped.payload, traced))
  }

  let ending: Ending = { state: 'completed', error: '' }
  try {
    for await (const record of readRecords(counted(), shape, { maxDecompressedBytes: options.maxDecompressedBytes })) {
      progress.processed++
      await take(record)
      if (batch.full) await batch.flush()
      if (Date.now() - lastSave >= options.progressMs) {
        await save()
        await publishing(publishJobEvent(producer, events.INGESTION_TYPES.jobProgressed, { ...job, ...rowProgress(progress) }))
      }
      if (stop.signal.aborted) {
        ending = CANCELLED
        break
      }
      if (progress.processed >= RATIO_MIN_RECORDS && tooManyErrors(progress, options.maxErrorRatio)) break
    }
    if (ending.state === 'completed' && tooManyErrors(progress, options.maxErrorRatio)) {
      const why = `${progress.rejected} of ${progress.processed} records were bad, past the allowed ratio ${options.maxErrorRatio}`
      ending = { state: 'failed', error: jobError(jobCodes.tooManyBadRecords, why) }
    }
  } catch (err) {
    // A wait the cancel ended (a read, a send), or what a source the cancel stopped threw.
    ending = stop.signal.aborted ? CANCELLED : { state: 'failed', error: failedError(deps, job, err) }
  }
  ending = await saveLast(deps, job, ending, save, stop.signal)
  release()
  return conclude(deps, job, ending, progress)
}

/** Aborted by a cancel of this process (`signal`) or one seen in the job's row: ends every wait of the run. */
function stopper(deps: RunnerDeps, jobId: string, signal: AbortSignal | undefined, lastSave: () => number) {
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  if (signal?.aborted) stop.abort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  const unwatch = cancelWatch(deps, jobId, { progressMs: deps.options.progressMs, lastSave }, stop)
  return {
    stop,
    release() {
      unwatch()
      signal?.removeEventListener('abort', onAbort)
    },
  }
}

type Ending = { state: Exclude<JobStateName, 'running' | 'applying'>; error: string }
const CANCELLED: Ending = { state: 'cancelled', error: jobError(jobCodes.cancelled) }

/** The job's error when its run threw, not cancelled: input that is not what it says, or (logged) anything else. */
function failedError(deps: RunnerDeps, job: JobRow, err: unknown): string {
  if ((err as { malformed?: boolean }).malformed) return jobError(jobCodes.malformedInput, (err as Error).message)
  const failure = failedWith(jobCodes.internal, err)
  deps.log.error({ err: failure.cause ?? failure, code: failure.code, job: job.id, tenant: job.tenant }, 'job failed')
  return jobError(failure.code)
}

/**
 * The last save: the batch still open (unless cancelled) and the progress. Cancelled while that
 * batch was on its way, the job ends cancelled with what was sent; unable to save at all, it ends
 * failed (what was flushed before stays published; the lease marks it failed if we cannot).
 */
async function saveLast(
  deps: RunnerDeps,
  job: JobRow,
  ending: Ending,
  save: (publish: boolean) => Promise<void>,
  stopped: AbortSignal,
): Promise<Ending> {
  let last = ending
  try {
    await save(ending.state !== 'cancelled').catch(async (err: unknown) => {
      if (!stopped.aborted) throw err
      if (last.state === 'completed') last = CANCELLED
      await save(false)
    })
    return last
  } catch (err) {
    const failure = failedWith(jobCodes.internal, err)
    deps.log.error(
      { err: failure.cause ?? failure, code: failure.code, job: job.id, tenant: job.tenant },
      'could not save the final progress of a job',
    )
    return { state: 'failed', error: last.error || jobError(failure.code) }
  }
}

/** Records the job's end, counts it and announces it on ingestion.job.v1. Never throws. */
async function conclude(deps: RunnerDeps, job: JobRow, ending: Ending, progress: Progress): Promise<JobRow> {
  const { log, metrics, producer } = deps
  const { state, error } = ending
  // The database may be away (a restart): the job's lease then runs out and the sweep marks it
  // failed, so its file can be started again. Throwing here would take the whole process down.
  const finished =
    (await finishJob(deps.pool, job.id, state, error, progress.processed, deps.options.awaitApplied).catch((err: unknown) => {
      log.error({ err, job: job.id, tenant: job.tenant }, 'could not record the end of a job; its lease will')
      return { ...job, state: 'failed' as const, error: error || jobError(jobCodes.internal) }
    })) ?? job
  metrics.running.dec()
  // An applying job finishes when the catalog's totals complete it (applied-consumer.ts), counted there.
  if (finished.state !== 'applying') metrics.finished.inc({ state: finished.state })
  // (Not when the end could not be recorded: the row is still running, and the sweep and the next scan judge it.)
  if (finished.origin === 'drop' && finished.state === 'failed' && finished.finished_at) await judgeDrop(deps, finished)
  const type = {
    completed: 'jobCompleted',
    failed: 'jobFailed',
    cancelled: 'jobCancelled',
    running: 'jobProgressed',
    applying: 'jobProgressed',
  } as const
  await publishJobEvent(producer, events.INGESTION_TYPES[type[finished.state]], finished).catch((err: unknown) =>
    log.warn({ err, job: job.id }, 'could not publish the end of a job'),
  )
  log.info(
    { job: job.id, state: finished.state, processed: progress.processed, rejected: progress.rejected },
    finished.state === 'applying' ? 'job read; the catalog applies its records' : 'job finished',
  )
  return finished
}

/** A failed attempt of a dropped file: its retry, or its quarantine, recorded at once (the scan would otherwise). */
async function judgeDrop(deps: RunnerDeps, job: JobRow): Promise<void> {
  try {
    const { job: judged } = await recordVerdict(deps.pool, job, verdictOf(job, deps.options.dropRetry ?? DROP_RETRY, new Date()))
    logVerdict(deps.log, judged)
  } catch (err) {
    deps.log.warn({ err, job: job.id }, 'could not judge a failed drop; the next scan will')
  }
}

const tooManyErrors = (p: Progress, ratio: number) => p.processed > 0 && p.rejected / p.processed > ratio

const rowProgress = (p: Progress): Partial<JobRow> => ({
  processed: String(p.processed),
  accepted: String(p.accepted),
  rejected: String(p.rejected),
  bytes_read: String(p.bytesRead),
  updated_at: new Date(),
})
