import type { FieldViolation } from '@catalog/kit'
import { invalidArgument, PlatformError } from '@catalog/kit'
import { status } from '@grpc/grpc-js'

export const codes = {
  invalid: 'SRCH_ERR_INVALID_ARGUMENT',
  tooSlow: 'SRCH_ERR_QUERY_TOO_SLOW',
} as const

export const invalid = (violations: readonly FieldViolation[]) => invalidArgument(violations, codes.invalid)

/** A query that ran into the statement timeout: the client's to narrow, so a 4xx, not a 5xx. */
export const tooSlow = (field: string, ms: number) =>
  new PlatformError(codes.tooSlow, status.INVALID_ARGUMENT, `the query ran past ${ms} ms; narrow it`, [
    { field, description: `made a query that ran past ${ms} ms` },
  ])
