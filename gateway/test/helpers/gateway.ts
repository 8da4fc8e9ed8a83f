import { startTestCatalog } from '@catalog/catalog-service/testing'
import type { Logger, Pool } from '@catalog/kit'
import { createLogger, createMetrics } from '@catalog/kit'
import { testCerts } from '@catalog/kit/testing'
import type { FastifyInstance } from 'fastify'
import type { Caching } from '../../src/cache/caching.ts'
import { composeGateway } from '../../src/compose.ts'
import { loadGatewayConfig } from '../../src/config.ts'
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
  const { app, cache, stop } = await composeGateway(
    config,
    { log, metrics, tls: testCerts().of('gateway') },
    { catalogCheck: options.catalogCheck, otherChecks: false, ingestionPollMs: 50 },
  )
  t.teardown(async () => {
    for (const step of stop) await step.run()
  })
  return {
    app,
    identity,
    cache,
    auth: async (tenant, scope = ALL_SCOPES) => ({ authorization: `Bearer ${await identity.token({ tenant, scope })}` }),
    metrics: () => metrics.registry.metrics(),
  }
}
