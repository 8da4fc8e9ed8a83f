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
  tooManyJobs: 'ING_ERR_TOO_MANY_JOBS',
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

/** A tenant at its limit of running jobs: the message names the limit and the setting behind it. */
export const tooManyJobs = (limit: number) =>
  new PlatformError(
    codes.tooManyJobs,
    status.RESOURCE_EXHAUSTED,
    `this tenant already runs ${limit} ingestion jobs, its limit (INGEST_MAX_RUNNING_JOBS); start more when one ends`,
  )

export const jobFinished = (id: string, state: string) =>
  new PlatformError(codes.finished, status.FAILED_PRECONDITION, `ingestion ${id} is already ${state}`)
