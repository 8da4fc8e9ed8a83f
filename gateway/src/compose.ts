import type { Check, Logger, Metrics, ShutdownStep, TlsFiles } from '@catalog/kit'
import { grpcHealthCheck } from '@catalog/kit'
import type { FastifyInstance } from 'fastify'
import { createAuthenticator } from './auth/authenticator.ts'
import type { Caching } from './cache/caching.ts'
import { caching } from './cache/caching.ts'
import type { GatewayConfig } from './config.ts'
import { authOptions } from './config.ts'
import { rateLimiting } from './rate-limit/rate-limiting.ts'
import { build } from './server.ts'
import { catalogBackend, ingestionBackend, searchBackend, upstreamLatency } from './upstream/backends.ts'
import { createIngestStreams } from './upstream/ingest-stream.ts'

export interface ComposeOptions {
  /** Whether readiness checks the catalog (default true; off in tests that read the caches' own checks). */
  catalogCheck?: boolean
  /** Whether readiness checks the search and ingestion services and the JWKS (default true). */
  otherChecks?: boolean
  /** How often a job followed by progress streams is read (the route's default unless given). */
  ingestionPollMs?: number
}

export interface Gateway {
  app: FastifyInstance
  cache: Caching
  /** In order, on shutdown: the HTTP server (503 to new requests while in-flight ones finish), then what it used. */
  stop: ShutdownStep[]
}

/**
 * The gateway from its config: the JWKS authenticator, a backend (breaker, retries, deadline) per
 * service it routes to, the rate limits and caches the config asks for, and the app over them,
 * with readiness checks on each. src/service.ts runs it; the tests compose the same one.
 */
export async function composeGateway(
  config: GatewayConfig,
  deps: { log: Logger; metrics: Metrics; tls: TlsFiles },
  options: ComposeOptions = {},
): Promise<Gateway> {
  const { log, metrics, tls } = deps
  const authenticator = createAuthenticator(authOptions(config), log)
  const latency = upstreamLatency(metrics)
  const catalog = catalogBackend(config, { tls, log, latency })
  /** A health client of `address`, only where readiness will ask it. */
  const healthOf = (address: string | undefined, used: boolean) =>
    address && used ? grpcHealthCheck({ address, tls }) : undefined
  const catalogHealth = healthOf(config.CATALOG_ADDR, options.catalogCheck !== false)
  const search = config.SEARCH_ADDR ? searchBackend(config, config.SEARCH_ADDR, { tls, log, latency }) : undefined
  const searchHealth = healthOf(config.SEARCH_ADDR, options.otherChecks !== false)
  const ingestionHealth = healthOf(config.INGESTION_ADDR, options.otherChecks !== false)
  const ingestion = config.INGESTION_ADDR
    ? {
        backend: ingestionBackend(config, config.INGESTION_ADDR, { tls, log, latency }),
        streams: createIngestStreams(config.INGESTION_ADDR, tls),
      }
    : undefined
  const limits = rateLimiting(config, { log, metrics })
  const cache = caching(config, { log, metrics })
  const others: Record<string, Check> = {
    ...(searchHealth ? { search: searchHealth.check } : {}),
    ...(ingestionHealth ? { ingestion: ingestionHealth.check } : {}),
    // Without any key no request can pass: not ready until the JWKS has loaded once.
    jwks: async () => {
      if (authenticator.status().keys === 0) await authenticator.warmUp()
      const { keys, lastError } = authenticator.status()
      if (keys === 0) throw new Error(lastError ?? 'no keys')
    },
    // The issuer away: the cached keys keep serving (not a reason to leave the load balancer),
    // but a rotated key cannot be learnt until it is back, so say so.
    jwks_refresh: {
      soft: true,
      check: async () => {
        const { keys, lastError } = authenticator.status()
        if (lastError) throw new Error(`the last JWKS refresh failed (${lastError}); serving ${keys} cached keys`)
      },
    },
  }

  const app = await build({
    config,
    log,
    metrics,
    verifier: authenticator,
    catalog,
    search,
    ...(ingestion
      ? {
          ingestion: {
            backend: ingestion.backend,
            streams: ingestion.streams,
            ...(options.ingestionPollMs ? { pollMs: options.ingestionPollMs } : {}),
          },
        }
      : {}),
    checks: {
      ...(catalogHealth ? { catalog: catalogHealth.check } : {}),
      ...(options.otherChecks === false ? {} : others),
      ...limits.checks,
      ...cache.checks,
    },
    rateLimit: limits.install,
    cache,
  })
  return {
    app,
    cache,
    stop: [
      { name: 'http', run: () => app.close() },
      {
        name: 'backends',
        run: async () => {
          catalog.shutdown()
          catalogHealth?.close()
          search?.shutdown()
          searchHealth?.close()
          ingestion?.backend.shutdown()
          ingestion?.streams.close()
          ingestionHealth?.close()
        },
      },
      { name: 'rate limit store', run: () => limits.close() },
      { name: 'cache', run: () => cache.close() },
      { name: 'auth', run: async () => authenticator.close() },
    ],
  }
}
