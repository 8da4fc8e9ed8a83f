import { startTestCatalog } from '@catalog/catalog-service/testing'
import type { Logger, Pool } from '@catalog/kit'
import { createLogger, createMetrics, grpcHealthCheck } from '@catalog/kit'
import { testCerts } from '@catalog/kit/testing'
import type { FastifyInstance } from 'fastify'
import { createAuthenticator } from '../../src/auth/authenticator.ts'
import type { Caching } from '../../src/cache/caching.ts'
import { caching } from '../../src/cache/caching.ts'
import { authOptions, loadGatewayConfig } from '../../src/config.ts'
import { rateLimiting } from '../../src/rate-limit/rate-limiting.ts'
import { build } from '../../src/server.ts'
import { catalogBackend, ingestionBackend, searchBackend, upstreamLatency } from '../../src/upstream/backends.ts'
import { createIngestStreams } from '../../src/upstream/ingest-stream.ts'
import type { TestIdentity } from './identity.ts'
import { AUDIENCE, ISSUER, testIdentity } from './identity.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface RunningGateway {
  app: FastifyInstance
  identity: TestIdentity
  /** The caches `env` asked for (none by default), wired as the gateway's main does. */
  cache: Caching
  /** `authorization` header of a token for `tenant` with `scope`. */
  auth(tenant: string, scope?: string): Promise<{ authorization: string }>
  /** What Prometheus would scrape from this gateway. */
  metrics(): Promise<string>
}

export const ALL_SCOPES = 'items:read items:write search:read ingest:write'

/** Starts a real catalog (own database, real mTLS) and returns its address. */
export async function startCatalog(t: Tap): Promise<{ address: string; pool: Pool }> {
  const { address, pool } = await startTestCatalog(t)
  return { address, pool }
}

/** The environment of a gateway that trusts `jwksPath` and calls the catalog at `catalogAddress`. */
export function gatewayEnv(jwksPath: string, catalogAddress: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    AUTH_JWKS_URL: jwksPath,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    CATALOG_ADDR: catalogAddress,
    ...testCerts().env('gateway'),
  }
}

/**
 * The gateway app (not listening: tests use inject) in front of the catalog at `catalogAddress`,
 * with the rate limits `env` asks for (in memory unless it names REDIS_URL); its log is silent
 * (or TEST_LOG_LEVEL) unless the test gives its own.
 */
export async function startGateway(
  t: Tap,
  catalogAddress: string,
  env: Record<string, string> = {},
  /** `catalogCheck: false` leaves the catalog out of readiness (tests that read the caches' own). */
  options: { log?: Logger; identity?: TestIdentity; catalogCheck?: boolean } = {},
): Promise<RunningGateway> {
  const identity = options.identity ?? (await testIdentity())
  const config = loadGatewayConfig({ ...gatewayEnv(identity.jwksPath, catalogAddress), ...env })
  const log = options.log ?? createLogger({ name: 'gateway', level: process.env.TEST_LOG_LEVEL ?? 'silent' })
  const metrics = createMetrics({ service: 'gateway', defaultMetrics: false })
  const tls = testCerts().of('gateway')
  const authenticator = createAuthenticator(authOptions(config), log)
  const latency = upstreamLatency(metrics)
  const catalog = catalogBackend(config, { tls, log, latency })
  const search = config.SEARCH_ADDR ? searchBackend(config, config.SEARCH_ADDR, { tls, log, latency }) : undefined
  const health = grpcHealthCheck({ address: catalogAddress, tls })
  const ingestion = config.INGESTION_ADDR
    ? {
        backend: ingestionBackend(config, config.INGESTION_ADDR, { tls, log, latency }),
        streams: createIngestStreams(config.INGESTION_ADDR, tls),
        pollMs: 50,
      }
    : undefined
  const limits = rateLimiting(config, { log, metrics })
  const cache = caching(config, { log, metrics })
  const app = await build({
    config,
    log,
    metrics,
    verifier: authenticator,
    catalog,
    search,
    ...(ingestion ? { ingestion } : {}),
    checks: { ...(options.catalogCheck === false ? {} : { catalog: health.check }), ...limits.checks, ...cache.checks },
    rateLimit: limits.install,
    cache,
  })
  t.teardown(async () => {
    await app.close()
    await limits.close()
    await cache.close()
    catalog.shutdown()
    search?.shutdown()
    ingestion?.backend.shutdown()
    ingestion?.streams.close()
    health.close()
    authenticator.close()
  })
  return {
    app,
    identity,
    cache,
    auth: async (tenant, scope = ALL_SCOPES) => ({ authorization: `Bearer ${await identity.token({ tenant, scope })}` }),
    metrics: () => metrics.registry.metrics(),
  }
}
