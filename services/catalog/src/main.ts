import {
  createIdempotentProducer,
  createKafka,
  createLogger,
  createMetrics,
  createPool,
  ensureTopics,
  handleShutdown,
  isPlatformError,
  migrate,
  PLATFORM_TOPICS,
  readTlsFiles,
  startOpsServer,
} from '@catalog/kit'

import { loadCatalogConfig } from './config.ts'
import { createOutboxRelay } from './outbox/outbox-relay.ts'
import { build, MIGRATIONS_DIR } from './server.ts'

try {
  const config = loadCatalogConfig()
  const log = createLogger({ name: config.SERVICE_NAME, level: config.LOG_LEVEL })
  const tls = readTlsFiles({ caFile: config.TLS_CA_FILE, certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE })
  const metrics = createMetrics({ service: config.SERVICE_NAME })

  if (config.DATABASE_MIGRATE) await migrate(config.DATABASE_URL, MIGRATIONS_DIR, log)
  const pool = createPool(
    {
      url: config.DATABASE_URL,
      max: config.DATABASE_POOL_MAX,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      applicationName: config.SERVICE_NAME,
    },
    log,
  )
  const callers = config.CATALOG_ALLOWED_CALLERS.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const server = build({ pool, log, metrics, tls, trustDomain: config.TLS_TRUST_DOMAIN, callers })
  let stopping = false
  const ops = await startOpsServer({
    port: config.METRICS_PORT,
    registry: metrics.registry,
    checks: { postgres: async () => void (await pool.query('SELECT 1')) },
    isShuttingDown: () => stopping,
  })
  const relay = await startRelay()
  await server.listen({ host: config.GRPC_HOST, port: config.GRPC_PORT, healthPort: config.HEALTH_PORT })
  server.setServing(true)
  log.info({ metricsPort: ops.port }, 'catalog ready')

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
      { name: 'grpc', run: () => server.shutdown(config.SHUTDOWN_TIMEOUT_MS) },
      { name: 'outbox relay', run: async () => relay?.stop() },
      { name: 'postgres', run: () => pool.end() },
      { name: 'ops', run: () => ops.close() },
    ],
  })

  async function startRelay() {
    if (!config.KAFKA_BROKERS) {
      log.warn('KAFKA_BROKERS is not set: events stay in the outbox until a relay runs')
      return undefined
    }
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: config.SERVICE_NAME, log })
    if (config.KAFKA_CREATE_TOPICS) await ensureTopics(kafka, PLATFORM_TOPICS)
    const producer = await createIdempotentProducer(kafka, log)
    const outboxRelay = createOutboxRelay({ pool, producer, log, metrics, source: `/${config.SERVICE_NAME}` })
    outboxRelay.start()
    return {
      async stop() {
        await outboxRelay.stop()
        await producer.disconnect()
      },
    }
  }
} catch (err) {
  // A bad configuration is the operator's to fix: say what is wrong, without a stack trace.
  const message = isPlatformError(err) ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)
  process.stderr.write(`catalog failed to start: ${message}\n`)
  process.exit(1)
}
