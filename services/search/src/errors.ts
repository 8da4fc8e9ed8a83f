import type { FieldViolation } from '@catalog/kit'
import { invalidArgument, PlatformError } from '@catalog/kit'
import { status } from '@grpc/grpc-js'

export const codes = {
  invalid: 'SRCH_ERR_INVALID_ARGUMENT',
  tooSlow: 'SRCH_ERR_QUERY_TOO_SLOW',
  tooManyExpensive: 'SRCH_ERR_TOO_MANY_EXPENSIVE',
  engineUnavailable: 'SRCH_ERR_ENGINE_UNAVAILABLE',
  engineRefused: 'SRCH_ERR_ENGINE_REFUSED',
} as const

export const invalid = (violations: readonly FieldViolation[]) => invalidArgument(violations, codes.invalid)

/**
 * A pattern with no literal the index can use would be checked against every item of the tenant:
 * on a small catalog that is quick, on a large one it would run into the timeout. Said at once,
 * with how to write it instead, by every engine alike. Words (`q`) narrow the candidates first, so
 * with them it runs.
 */
export const patternNeedsScan = (maxItems: number) =>
  invalid([
    {
      field: 'pattern',
      description: `has no literal the index can use, so it would be checked against every item of this catalog (more than ${maxItems}): anchor it with a literal start (^brass) or include a run of three or more letters or digits outside groups and brackets (brass.*lamp), or add q`,
    },
  ])

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

/**
 * The engine's cluster cannot take a request just now (unreachable, overloaded, a shard moving):
 * UNAVAILABLE to a caller, and a failure the indexer retries for as long as it lasts (`retriable`,
 * as the batch consumer reads it), never a reason to dead-letter an event.
 */
export class EngineUnavailableError extends PlatformError {
  readonly retriable = true
  constructor(message: string) {
    super(codes.engineUnavailable, status.UNAVAILABLE, message)
    this.name = 'EngineUnavailableError'
  }
}

/**
 * The engine refused a request for what it holds (a document it cannot store, a query it cannot
 * run): the same request fails the same way again, so the indexer sets its event aside after its
 * attempts; a search that meets it is a fault of the service (INTERNAL).
 */
export const engineRefused = (message: string) => new PlatformError(codes.engineRefused, status.INTERNAL, message)
