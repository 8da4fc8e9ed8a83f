import { ConfigError, commonEnv, grpcServerEnv, kafkaConsumerEnv, kafkaEnv, loadConfig, postgresEnv } from '@catalog/kit'
import type { Static } from 'typebox'
import { Type } from 'typebox'

export const searchEnv = Type.Object({
  ...commonEnv,
  SERVICE_NAME: Type.String({ minLength: 1, default: 'search' }),
  ...grpcServerEnv,
  ...postgresEnv,
  ...kafkaEnv,
  ...kafkaConsumerEnv,
  SEARCH_CONSUMER_GROUP: Type.String({ minLength: 1, default: 'search-indexer' }),
  /**
   * Attempts of an indexer batch that fails the same way each time (not a server away) before its
   * events are applied one by one and one that still fails goes to catalog.item.dlq.v1.
   */
  SEARCH_INDEX_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** Bound on one search's SQL: a pathological regex ends here with a 4xx. */
  SEARCH_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 2_000 }),
  /** Matches a first page counts exactly (Elasticsearch's track_total_hits); past it the total is a lower bound. */
  SEARCH_EXACT_COUNT_UP_TO: Type.Integer({ minimum: 1, maximum: 100_000, default: 10_000 }),
  /** A pattern with no literal the index can use is refused (400) in a tenant with more items than this. */
  SEARCH_PATTERN_SCAN_MAX_ITEMS: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 50_000 }),
  /** Workload identities allowed to call search, comma-separated. */
  SEARCH_ALLOWED_CALLERS: Type.String({ default: 'gateway' }),
  /** Of those, the ones trusted to forward an end user's principal, comma-separated; empty: none. */
  SEARCH_FORWARDERS: Type.String({ default: 'gateway' }),
  /** Searches with contains or pattern one tenant may run at once in this process; past it, RESOURCE_EXHAUSTED. */
  SEARCH_EXPENSIVE_PER_TENANT: Type.Integer({ minimum: 1, maximum: 199, default: 2 }),
  /** The same for all tenants together: below DATABASE_POOL_MAX, so word searches and the indexer keep connections. */
  SEARCH_EXPENSIVE_TOTAL: Type.Integer({ minimum: 1, maximum: 199, default: 8 }),
})

export type SearchConfig = Readonly<Static<typeof searchEnv>>

/** The limits of expensive searches must fit in each other and in the pool, or they limit nothing. */
function expensiveLimitsFit(config: SearchConfig): SearchConfig {
  const { SEARCH_EXPENSIVE_PER_TENANT: perTenant, SEARCH_EXPENSIVE_TOTAL: total, DATABASE_POOL_MAX: pool } = config
  if (total >= pool)
    throw new ConfigError(
      `invalid configuration: SEARCH_EXPENSIVE_TOTAL (${total}) must be below DATABASE_POOL_MAX (${pool}), so other searches and the indexer keep a connection`,
    )
  if (perTenant > total)
    throw new ConfigError(
      `invalid configuration: SEARCH_EXPENSIVE_PER_TENANT (${perTenant}) must not exceed SEARCH_EXPENSIVE_TOTAL (${total})`,
    )
  return config
}

export const loadSearchConfig = (env: NodeJS.ProcessEnv = process.env): SearchConfig =>
  expensiveLimitsFit(loadConfig(searchEnv, env))
