import {
  ConfigError,
  commonEnv,
  kafkaConsumerEnv,
  kafkaEnv,
  kafkaSecurityEnv,
  list,
  loadConfig,
  tlsRefreshEnv,
} from '@catalog/kit'
import type { Static } from 'typebox'
import { Type } from 'typebox'
import type { AuthOptions } from './auth/authenticator.ts'
import { isAddressRange } from './client-address.ts'
import type { RateLimitPolicy } from './rate-limit/gcra.ts'
import type { Dimension } from './rate-limit/rate-limit-hooks.ts'

const csv = (description: string, fallback: string) => Type.String({ description, default: fallback })

export const gatewayEnv = Type.Object({
  ...commonEnv,
  SERVICE_NAME: Type.String({ minLength: 1, default: 'gateway' }),
  HOST: Type.String({ default: '0.0.0.0' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  /**
   * The ops port: /metrics, /healthz and /readyz, as the services' METRICS_PORT, kept off the
   * public port the ingress routes to. Unset, there is none (PORT still answers the probes):
   * several gateways share a host in tests and locally, where 9464 is the catalog's.
   */
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  TRUST_PROXY_CIDRS: csv(
    'addresses or CIDR ranges of the proxies in front, comma-separated, whose X-Forwarded-For names the client; empty: the socket address is the client',
    '',
  ),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
  /**
   * Deadline of a request, carried to gRPC; clients may ask for less with `x-request-timeout-ms`.
   * A request (but a bulk upload) must also arrive, headers and body, within twice this.
   */
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 5_000 }),
  /** Connections one replica holds open at once; past it a new one is closed at once. */
  MAX_CONNECTIONS: Type.Integer({ minimum: 1, default: 4_096 }),
  /** Progress streams (`/v1/ingestions/{id}/events`) one tenant may hold open on one replica. */
  SSE_STREAMS_PER_TENANT: Type.Integer({ minimum: 1, maximum: 10_000, default: 20 }),
  /** How long one progress stream lives; then it ends and the client's EventSource reconnects. */
  SSE_STREAM_MAX_MS: Type.Integer({ minimum: 1_000, maximum: 24 * 3_600_000, default: 30 * 60_000 }),
  /** The least a client may ask for with `x-request-timeout-ms`: less is raised to this. */
  REQUEST_TIMEOUT_MIN_MS: Type.Integer({ minimum: 1, maximum: 120_000, default: 100 }),
  CORS_ORIGINS: csv('allowed CORS origins, comma-separated; empty disables CORS', ''),
  /** Each request's log line is at debug, but a request this slow (or answered 5xx) is logged at info. */
  LOG_SLOW_REQUEST_MS: Type.Integer({ minimum: 1, default: 1_000 }),

  AUTH_JWKS_URL: Type.String({ minLength: 1, description: 'https URL of the JWKS, or a local file path' }),
  /** Plain http to a host other than this one; NODE_ENV=development allows it too. */
  AUTH_ALLOW_HTTP_JWKS: Type.Boolean({ default: false }),
  /** The `typ` header every token must carry (e.g. `at+jwt`, RFC 9068), so an ID token is not taken for an access token; empty: any. */
  AUTH_REQUIRED_TYP: Type.String({ default: '', pattern: '^([A-Za-z0-9!#$&^_.+-]+(/[A-Za-z0-9!#$&^_.+-]+)?)?$' }),
  AUTH_ISSUER: Type.String({ minLength: 1 }),
  AUTH_AUDIENCE: Type.String({ minLength: 1 }),
  AUTH_ALGORITHMS: csv('allowed JWS algorithms', 'RS256,ES256,EdDSA'),
  AUTH_CLOCK_TOLERANCE_SEC: Type.Integer({ minimum: 0, maximum: 300, default: 30 }),
  AUTH_JWKS_COOLDOWN_MS: Type.Integer({ minimum: 0, default: 30_000 }),
  AUTH_JWKS_CACHE_MAX_AGE_MS: Type.Integer({ minimum: 1_000, default: 600_000 }),
  AUTH_JWKS_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 3_000 }),
  /** A verified token is remembered this long (never past its exp); a removed key lingers at most this much. 0 turns it off. */
  AUTH_VERIFIED_CACHE_MS: Type.Integer({ minimum: 0, maximum: 300_000, default: 30_000 }),

  CATALOG_ADDR: Type.String({ minLength: 1, description: 'host:port of the catalog gRPC service' }),
  SEARCH_ADDR: Type.Optional(
    Type.String({ minLength: 1, description: 'host:port of the search gRPC service; unset: no /v1/search' }),
  ),
  INGESTION_ADDR: Type.Optional(
    Type.String({ minLength: 1, description: 'host:port of the ingestion gRPC service; unset: no ingestion routes' }),
  ),
  /** Bulk uploads stream through without buffering: this bounds their size, not memory. */
  BULK_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 16 * 1024 ** 3, default: 1024 ** 3 }),
  TLS_CA_FILE: Type.String({ minLength: 1 }),
  TLS_CERT_FILE: Type.String({ minLength: 1 }),
  TLS_KEY_FILE: Type.String({ minLength: 1 }),
  ...tlsRefreshEnv,
  UPSTREAM_RETRIES: Type.Integer({ minimum: 0, maximum: 5, default: 2 }),
  BREAKER_ERROR_PERCENT: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  BREAKER_VOLUME: Type.Integer({ minimum: 1, default: 20 }),
  BREAKER_RESET_MS: Type.Integer({ minimum: 100, default: 10_000 }),

  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  RATE_LIMIT_FAIL_OPEN: Type.Boolean({ default: true }),
  RATE_LIMIT_TENANT_PER_MINUTE: Type.Integer({ minimum: 1, default: 6_000 }),
  RATE_LIMIT_IP_PER_MINUTE: Type.Integer({ minimum: 1, default: 12_000 }),

  /**
   * The item cache of GET /v1/items/{id}, in each replica, emptied of what catalog.item.v1 says
   * changed: it needs KAFKA_BROKERS (and the KAFKA_SASL_* of a principal that may read the topic).
   */
  CACHE_ITEMS: Type.Boolean({ default: false }),
  CACHE_ITEMS_MAX_ENTRIES: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 100_000 }),
  CACHE_ITEMS_MAX_BYTES: Type.Integer({ minimum: 1024 * 1024, maximum: 16 * 1024 ** 3, default: 64 * 1024 * 1024 }),
  /** The longest any cached answer lives, whatever the events say: the bound if one is ever missed. */
  CACHE_TTL_MS: Type.Integer({ minimum: 100, maximum: 24 * 3_600_000, default: 300_000 }),
  /** How long a 404 is remembered (an upsert event of the item ends it sooner); 0: not at all. */
  CACHE_NEGATIVE_TTL_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 5_000 }),
  /** With no fetch of the invalidation stream answered for this long, the item cache is bypassed. */
  CACHE_STREAM_SILENCE_MS: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 5_000 }),
  /** Each replica's consumer group on catalog.item.v1 is this, its host name and a random suffix. */
  CACHE_GROUP_PREFIX: Type.String({ pattern: '^[A-Za-z0-9._-]{1,100}$', default: 'gateway-cache' }),
  /** A tier in Redis every replica shares (CACHE_REDIS_URL, or else REDIS_URL), under the item cache. */
  CACHE_SHARED: Type.Boolean({ default: false }),
  CACHE_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** Search pages kept per tenant and query this long; 0: search is not cached. */
  CACHE_SEARCH_TTL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 0 }),
  CACHE_SEARCH_MAX_ENTRIES: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
  CACHE_SEARCH_MAX_BYTES: Type.Integer({ minimum: 1024 * 1024, maximum: 4 * 1024 ** 3, default: 32 * 1024 * 1024 }),
  /** Whether searches with `pattern` are cached too: each distinct expression would take an entry. */
  CACHE_SEARCH_PATTERN: Type.Boolean({ default: false }),
  /** The brokers of the invalidation stream; read only with CACHE_ITEMS. */
  KAFKA_BROKERS: Type.Optional(kafkaEnv.KAFKA_BROKERS),
  ...kafkaSecurityEnv,
  ...kafkaConsumerEnv,
})

export type GatewayConfig = Readonly<Static<typeof gatewayEnv>>

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  // Refused rather than ignored: a deployment that still sets it would silently stop trusting
  // its proxy, and every client behind it would share the proxy's one IP budget.
  if (env.TRUST_PROXY_HOPS !== undefined) {
    throw new ConfigError(
      'invalid configuration: TRUST_PROXY_HOPS is no longer read, as it let any peer name the client; set TRUST_PROXY_CIDRS to the address ranges of the proxies in front',
    )
  }
  const config = loadConfig(gatewayEnv, env)
  const problem = proxyProblem(config) ?? jwksProblem(config, env) ?? cacheProblem(config)
  if (problem) throw new ConfigError(`invalid configuration: ${problem}`)
  return config
}

/** A proxy range wider than this trusts a good part of the internet to name the client. */
const WIDEST_PROXY_PREFIX = 8

function proxyProblem(config: GatewayConfig): string | undefined {
  const entries = list(config.TRUST_PROXY_CIDRS)
  const wrong = entries.filter((entry) => !isAddressRange(entry))
  if (wrong.length > 0) return `TRUST_PROXY_CIDRS: not an address or a CIDR range: ${wrong.join(', ')}`
  const broad = entries.filter((entry) => entry.includes('/') && Number(entry.split('/')[1]) < WIDEST_PROXY_PREFIX)
  return broad.length > 0
    ? `TRUST_PROXY_CIDRS: wider than /${WIDEST_PROXY_PREFIX}, so anyone in it could name any client: ${broad.join(', ')}`
    : undefined
}

/** Settings of the caches that would be ignored, or could not work, named. */
function cacheProblem(config: GatewayConfig): string | undefined {
  if (config.CACHE_ITEMS && !config.KAFKA_BROKERS)
    return 'CACHE_ITEMS needs KAFKA_BROKERS: without catalog.item.v1 a replica would serve items other replicas changed until CACHE_TTL_MS'
  if (config.CACHE_SHARED && !config.CACHE_ITEMS) return 'CACHE_SHARED is the tier under the item cache: set CACHE_ITEMS=true too'
  if (config.CACHE_SHARED && !config.CACHE_REDIS_URL && !config.REDIS_URL)
    return 'CACHE_SHARED needs CACHE_REDIS_URL (or REDIS_URL)'
  if (config.CACHE_REDIS_URL && !config.CACHE_SHARED)
    return 'CACHE_REDIS_URL is set without CACHE_SHARED=true, so it would be ignored'
  if (config.CACHE_NEGATIVE_TTL_MS > config.CACHE_TTL_MS) return 'CACHE_NEGATIVE_TTL_MS is longer than CACHE_TTL_MS'
  return undefined
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/

/**
 * Keys fetched over plain http can be swapped by anyone on the way to the issuer, who could then
 * sign any token. Loopback has no one on the way (a sidecar, a local issuer).
 */
function jwksProblem(config: GatewayConfig, env: NodeJS.ProcessEnv): string | undefined {
  const url = URL.parse(config.AUTH_JWKS_URL)
  if (url?.protocol !== 'http:' || LOOPBACK.test(url.hostname)) return undefined
  if (config.AUTH_ALLOW_HTTP_JWKS || env.NODE_ENV === 'development') return undefined
  return 'AUTH_JWKS_URL is plain http, so whoever sits between could hand over keys and forge any token: use https, or set AUTH_ALLOW_HTTP_JWKS=true'
}

export { list }

export function authOptions(config: GatewayConfig): AuthOptions {
  return {
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    algorithms: list(config.AUTH_ALGORITHMS),
    clockToleranceSec: config.AUTH_CLOCK_TOLERANCE_SEC,
    cooldownMs: config.AUTH_JWKS_COOLDOWN_MS,
    cacheMaxAgeMs: config.AUTH_JWKS_CACHE_MAX_AGE_MS,
    fetchTimeoutMs: config.AUTH_JWKS_TIMEOUT_MS,
    maxTokenBytes: 8 * 1024,
    verifiedCacheMs: config.AUTH_VERIFIED_CACHE_MS,
    ...(config.AUTH_REQUIRED_TYP ? { requiredTyp: config.AUTH_REQUIRED_TYP } : {}),
  }
}

/** The budgets of routes that name none of their own, per minute. */
export function rateLimitDefaults(config: GatewayConfig): Record<Dimension, RateLimitPolicy> {
  return {
    ip: { limit: config.RATE_LIMIT_IP_PER_MINUTE, windowMs: 60_000 },
    tenant: { limit: config.RATE_LIMIT_TENANT_PER_MINUTE, windowMs: 60_000 },
  }
}
