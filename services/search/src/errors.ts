import type { FieldViolation } from '@catalog/kit'
import { invalidArgument, PlatformError } from '@catalog/kit'
import { status } from '@grpc/grpc-js'

export const codes = {
  invalid: 'SRCH_ERR_INVALID_ARGUMENT',
  tooSlow: 'SRCH_ERR_QUERY_TOO_SLOW',
  tooManyExpensive: 'SRCH_ERR_TOO_MANY_EXPENSIVE',
} as const

export const invalid = (violations: readonly FieldViolation[]) => invalidArgument(violations, codes.invalid)

/** A query that ran into the statement timeout: the client's to narrow, so a 4xx, not a 5xx. */
export const tooSlow = (field: string, ms: number) =>
  new PlatformError(codes.tooSlow, status.INVALID_ARGUMENT, `the query ran past ${ms} ms; narrow it`, [
    { field, description: `made a query that ran past ${ms} ms` },
  ])

const AT_LIMIT = {
  tenant: (limit: number) =>
    `this tenant already runs ${limit} searches with contains or pattern, its limit (SEARCH_EXPENSIVE_PER_TENANT)`,
  total: (limit: number) =>
    `this search process already runs ${limit} searches with contains or pattern, its limit (SEARCH_EXPENSIVE_TOTAL)`,
}

/** A substring or regex search past a concurrency limit: the message names the limit and its setting. */
export const tooManyExpensive = (reason: keyof typeof AT_LIMIT, limit: number) =>
  new PlatformError(codes.tooManyExpensive, status.RESOURCE_EXHAUSTED, `${AT_LIMIT[reason](limit)}; retry when one ends`)
