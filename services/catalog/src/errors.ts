import type { FieldViolation } from '@catalog/kit'
import { invalidArgument, PlatformError } from '@catalog/kit'
import { status } from '@grpc/grpc-js'

/** Stable codes of the catalog's errors; the gateway maps their gRPC status to HTTP. */
export const codes = {
  invalid: 'CAT_ERR_INVALID_ARGUMENT',
  notFound: 'CAT_ERR_NOT_FOUND',
  alreadyExists: 'CAT_ERR_ALREADY_EXISTS',
  versionMismatch: 'CAT_ERR_VERSION_MISMATCH',
  contended: 'CAT_ERR_CONTENDED',
} as const

export const invalid = (violations: readonly FieldViolation[]) => invalidArgument(violations, codes.invalid)

/** Never says whether the id exists for another tenant. */
export const itemNotFound = (id: string) => new PlatformError(codes.notFound, status.NOT_FOUND, `item ${id} not found`)

export const itemExists = (source: string, externalId: string) =>
  new PlatformError(
    codes.alreadyExists,
    status.ALREADY_EXISTS,
    `an item with source "${source}" and external_id "${externalId}" exists`,
  )

export const versionMismatch = (expected: string, actual: string) =>
  new PlatformError(codes.versionMismatch, status.ABORTED, `expected version ${expected}, the item is at version ${actual}`)

/** The item kept changing under a write (a delete and a revive between its statement and its read). */
export const contended = (id: string) =>
  new PlatformError(codes.contended, status.ABORTED, `item ${id} changed concurrently; try again`)
