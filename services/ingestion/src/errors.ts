import type { FieldViolation } from '@catalog/kit'
import { invalidArgument, PlatformError } from '@catalog/kit'
import { status } from '@grpc/grpc-js'

/** Stable codes of ingestion's errors; the gateway maps their gRPC status to HTTP. */
export const codes = {
  invalid: 'ING_ERR_INVALID_ARGUMENT',
  notFound: 'ING_ERR_NOT_FOUND',
  sourceNotFound: 'ING_ERR_SOURCE_NOT_FOUND',
  sourceForbidden: 'ING_ERR_SOURCE_FORBIDDEN',
  finished: 'ING_ERR_JOB_FINISHED',
  notRetryable: 'ING_ERR_NOT_RETRYABLE',
  tooManyJobs: 'ING_ERR_TOO_MANY_JOBS',
  sourceUnavailable: 'ING_ERR_SOURCE_UNAVAILABLE',
  sourceRefused: 'ING_ERR_SOURCE_REFUSED',
} as const

export const invalid = (violations: readonly FieldViolation[]) => invalidArgument(violations, codes.invalid)
export const badUri = (description: string, field = 'uri') => invalid([{ field, description }])

/** Never says whether the id exists for another tenant. */
export const jobNotFound = (id: string) => new PlatformError(codes.notFound, status.NOT_FOUND, `ingestion ${id} not found`)

export const sourceNotFound = (uri: string, field = 'uri') =>
  new PlatformError(codes.sourceNotFound, status.NOT_FOUND, `nothing to read at ${uri}`, [
    { field, description: 'nothing to read there' },
  ])

/** A location outside the caller's area: refused on the URI alone, before anything is looked up. */
export const sourceForbidden = (field: string, description: string) =>
  new PlatformError(codes.sourceForbidden, status.PERMISSION_DENIED, `${field}: ${description}`, [{ field, description }])

/** A source that did not answer as it should (GitHub away, its rate limit past the wait): retry later. */
export const sourceAway = (uri: string, why: string) =>
  new PlatformError(codes.sourceUnavailable, status.UNAVAILABLE, `${uri} could not be read now (${why}); start it again later`)

/** A source that refused the credentials configured for the tenant. */
export const sourceRefused = (uri: string, why: string) =>
  new PlatformError(codes.sourceRefused, status.FAILED_PRECONDITION, `${uri}: ${why}`)

/** A tenant at its limit of running jobs: the message names the limit and the setting behind it. */
export const tooManyJobs = (limit: number) =>
  new PlatformError(
    codes.tooManyJobs,
    status.RESOURCE_EXHAUSTED,
    `this tenant already runs ${limit} ingestion jobs, its limit (INGEST_MAX_RUNNING_JOBS); start more when one ends`,
  )

export const jobFinished = (id: string, state: string) =>
  new PlatformError(codes.finished, status.FAILED_PRECONDITION, `ingestion ${id} is already ${state}`)

/** A job that cannot be started again: it did not fail, or its input was an upload, which is not kept. */
export const jobNotRetryable = (id: string, why: string) =>
  new PlatformError(codes.notRetryable, status.FAILED_PRECONDITION, `ingestion ${id} cannot be started again: ${why}`)

/**
 * Why a job ended other than completed, as `Job.error` shows it: a stable code, then a sentence.
 * A failure on the platform's side (S3, the file system, Kafka, the database) gets a fixed
 * sentence, and its cause (an SDK's message, a server path, a broker's answer) goes to the log
 * with the job and tenant only; what is wrong with the client's own input says what it is.
 */
export const jobCodes = {
  sourceUnavailable: 'ING_ERR_SOURCE_UNAVAILABLE',
  publishFailed: 'ING_ERR_PUBLISH_FAILED',
  internal: 'ING_ERR_JOB_INTERNAL',
  interrupted: 'ING_ERR_INTERRUPTED',
  uploadCancelled: 'ING_ERR_UPLOAD_CANCELLED',
  cancelled: 'ING_ERR_CANCELLED',
  malformedInput: 'ING_ERR_MALFORMED_INPUT',
  tooManyBadRecords: 'ING_ERR_TOO_MANY_BAD_RECORDS',
  notApplied: 'ING_ERR_NOT_APPLIED',
} as const

export type JobCode = (typeof jobCodes)[keyof typeof jobCodes]

/** The codes whose sentence never changes: nothing of the cause or the input is in it. */
type FixedCode = Exclude<JobCode, 'ING_ERR_MALFORMED_INPUT' | 'ING_ERR_TOO_MANY_BAD_RECORDS'>

const SENTENCES: Record<FixedCode, string> = {
  ING_ERR_SOURCE_UNAVAILABLE: 'The source could not be read; start the file again.',
  ING_ERR_PUBLISH_FAILED: 'The records could not be published; start the file again.',
  ING_ERR_JOB_INTERNAL: 'The job stopped on an internal error; start the file again.',
  ING_ERR_INTERRUPTED: 'The job was interrupted: the process running it stopped; start the file again.',
  ING_ERR_UPLOAD_CANCELLED: 'The upload was cancelled by the client.',
  ING_ERR_CANCELLED: 'The job was cancelled on request.',
  ING_ERR_NOT_APPLIED:
    'The catalog stopped applying the published records (applied and catalog_rejected say how far it got); start the file again.',
}

/** `Job.error` as kept and shown: `<code>: <sentence>`. */
export function jobError(code: FixedCode): string
export function jobError(code: JobCode, sentence: string): string
export function jobError(code: JobCode, sentence?: string): string {
  return `${code}: ${sentence ?? SENTENCES[code as FixedCode]}`
}

export const kJobFailure = Symbol.for('catalog-platform.ingestion.job-failure')

/** A job failure on the platform's side: the code for the client, the cause for the log only. */
export class JobFailure extends Error {
  readonly [kJobFailure] = true
  readonly code: FixedCode

  constructor(code: FixedCode, cause?: unknown) {
    super(SENTENCES[code], { cause })
    this.name = 'JobFailure'
    this.code = code
  }
}

export function isJobFailure(err: unknown): err is JobFailure {
  return typeof err === 'object' && err !== null && (err as { [kJobFailure]?: boolean })[kJobFailure] === true
}

/** `err` as a failure of `code`, unless it already is one (the innermost cause names it best). */
export const failedWith = (code: FixedCode, err: unknown): JobFailure => (isJobFailure(err) ? err : new JobFailure(code, err))
