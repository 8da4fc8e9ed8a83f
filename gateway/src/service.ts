import {
  certificateMetrics,
  createLogger,
  createMetrics,
  grpcHealthCheck,
  handleShutdown,
  isPlatformError,
  readTlsFiles,
  startOpsServer,
} from '@catalog/kit'
import { createAuthenticator } from './auth/authenticator.ts'
import { caching } from './cache/caching.ts'
import { authOptions, loadGatewayConfig } from './config.ts'
import { rateLimiting } from './rate-limit/rate-limiting.ts'
import { build } from './server.ts'
import { catalogBackend, ingestionBackend, searchBackend, upstreamLatency } from './upstream/backends.ts'
import { createIngestStreams } from './upstream/ingest-stream.ts'

try {
  const config = loadGatewayConfig()
  const log = createLogger({ name: config.SERVICE_NAME, level: config.LOG_LEVEL })
  const tls = readTlsFiles(
    { caFile: config.TLS_CA_FILE, certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE },
    config.TLS_REFRESH_MS,
  )
  const metrics = createMetrics({ service: config.SERVICE_NAME })
  certificateMetrics(tls, metrics, log)
  const authenticator = createAuthenticator(authOptions(config), log)
  const latency = upstreamLatency(metrics)
  const catalog = catalogBackend(config, { tls, log, latency })
  const catalogHealth = grpcHealthCheck({ address: config.CATALOG_ADDR, tls })
  const search = config.SEARCH_ADDR ? searchBackend(config, config.SEARCH_ADDR, { tls, log, latency }) : undefined
  const searchHealth = config.SEARCH_ADDR ? grpcHealthCheck({ address: config.SEARCH_ADDR, tls }) : undefined
  const ingestion = config.INGESTION_ADDR
    ? {
        backend: ingestionBackend(config, config.INGESTION_ADDR, { tls, log, latency }),
        streams: createIngestStreams(config.INGESTION_ADDR, tls),
        health: grpcHealthCheck({ address: config.INGESTION_ADDR, tls }),
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
    ...(ingestion ? { ingestion: { backend: ingestion.backend, streams: ingestion.streams } } : {}),
    checks: {
      catalog: catalogHealth.check,
      ...(searchHealth ? { search: searchHealth.check } : {}),
      ...(ingestion ? { ingestion: ingestion.health.check } : {}),
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
      ...limits.checks,
      ...cache.checks,
    },
    rateLimit: limits.install,
    cache,
  })
  let stopping = false
  const ops =
    config.METRICS_PORT === undefined
      ? undefined
      : await startOpsServer({
          host: config.HOST,
          port: config.METRICS_PORT,
          registry: metrics.registry,
          checks: app.readinessChecks,
          isShuttingDown: () => stopping,
        })
  const address = await app.listen({ host: config.HOST, port: config.PORT })
  const { port } = app.server.address() as { port: number }
  log.info({ address, port, metricsPort: ops?.port }, 'gateway ready')

  handleShutdown({
    log,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    steps: [
      {
        name: 'not ready',
        run: async () => {
          stopping = true
        },
      },
      // Fastify answers 503 to new requests while in-flight ones finish.
      { name: 'http', run: () => app.close() },
      {
        name: 'backends',
        run: async () => {
          catalog.shutdown()
          catalogHealth.close()
          search?.shutdown()
          searchHealth?.close()
          ingestion?.backend.shutdown()
          ingestion?.streams.close()
          ingestion?.health.close()
        },
      },
      { name: 'rate limit store', run: () => limits.close() },
      { name: 'cache', run: () => cache.close() },
      { name: 'auth', run: async () => authenticator.close() },
      { name: 'ops', run: async () => ops?.close() },
    ],
  })
} catch (err) {
  const message = isPlatformError(err) ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)
  process.stderr.write(`gateway failed to start: ${message}\n`)
  process.exit(1)
}
