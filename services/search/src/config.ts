import { ConfigError, commonEnv, grpcServerEnv, kafkaConsumerEnv, kafkaEnv, loadConfig, postgresEnv } from '@catalog/kit'
import type { Static, TProperties } from 'typebox'
import { Type } from 'typebox'

/** The OpenSearch cluster of SEARCH_ENGINE=opensearch; read only then. */
export const openSearchEnv = {
  /** The cluster's address, `https://` (or `http://` on a loopback test node). */
  OPENSEARCH_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/.*)?$' })),
  /** Basic authentication, both or neither; the password as a mounted Secret's file instead works too. */
  OPENSEARCH_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  OPENSEARCH_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  OPENSEARCH_PASSWORD_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** A PEM bundle of the CAs that sign the cluster's certificate; unset: the system's. */
  OPENSEARCH_CA_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** Names of the index, its alias and template begin with it, so several platforms can share a cluster. */
  OPENSEARCH_INDEX_PREFIX: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', default: 'catalog' }),
  /** Primary shards of a new index: a tenant's items spread over all of them (see docs/architecture.md). */
  OPENSEARCH_SHARDS: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  OPENSEARCH_REPLICAS: Type.Integer({ minimum: 0, maximum: 5, default: 1 }),
} satisfies TProperties

export const searchEnv = Type.Object({
  ...commonEnv,
  SERVICE_NAME: Type.String({ minLength: 1, default: 'search' }),
  ...grpcServerEnv,
  ...postgresEnv,
  ...kafkaEnv,
  ...kafkaConsumerEnv,
  SEARCH_CONSUMER_GROUP: Type.String({ minLength: 1, default: 'search-indexer' }),
  /** What holds the index and answers queries: this service's PostgreSQL, or an OpenSearch cluster. */
  SEARCH_ENGINE: Type.Union([Type.Literal('postgres'), Type.Literal('opensearch')], { default: 'postgres' }),
  ...openSearchEnv,
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

/** OpenSearch needs its address, credentials whole, and a CA only where TLS is spoken. */
function engineFits(config: SearchConfig): SearchConfig {
  if (config.SEARCH_ENGINE !== 'opensearch') return config
  const problem = (text: string) => new ConfigError(`invalid configuration: ${text}`)
  const { OPENSEARCH_URL: url, OPENSEARCH_USERNAME: user, OPENSEARCH_CA_FILE: ca } = config
  const password = config.OPENSEARCH_PASSWORD ?? config.OPENSEARCH_PASSWORD_FILE
  if (!url) throw problem('SEARCH_ENGINE=opensearch needs OPENSEARCH_URL, the address of the cluster')
  if (config.OPENSEARCH_PASSWORD && config.OPENSEARCH_PASSWORD_FILE)
    throw problem('set OPENSEARCH_PASSWORD or OPENSEARCH_PASSWORD_FILE, not both')
  if (Boolean(user) !== Boolean(password))
    throw problem('OPENSEARCH_USERNAME and a password (OPENSEARCH_PASSWORD or OPENSEARCH_PASSWORD_FILE) go together')
  if (ca && !url.startsWith('https://')) throw problem('OPENSEARCH_CA_FILE needs an https:// OPENSEARCH_URL')
  // A password in the clear over the network: only a node on this machine may be spoken to so.
  if (user && url.startsWith('http://') && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(`${url}/`))
    throw problem('OPENSEARCH_URL must be https:// when a password is sent')
  return config
}

export const loadSearchConfig = (env: NodeJS.ProcessEnv = process.env): SearchConfig =>
  engineFits(expensiveLimitsFit(loadConfig(searchEnv, env)))
