import {
  createKafka,
  createLogger,
  createMetrics,
  createPool,
  handleShutdown,
  isPlatformError,
  migrate,
  readTlsFiles,
  startOpsServer,
} from '@catalog/kit'
import { loadSearchConfig } from './config.ts'
import { startIndexer } from './indexer/start-indexer.ts'
import { build, MIGRATIONS_DIR } from './server.ts'

try {
  const config = loadSearchConfig()
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
  const callers = config.SEARCH_ALLOWED_CALLERS.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const server = build({
    pool,
    log,
    metrics,
    tls,
    trustDomain: config.TLS_TRUST_DOMAIN,
    callers,
    statementTimeoutMs: config.SEARCH_STATEMENT_TIMEOUT_MS,
  })
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: config.SERVICE_NAME, log })
  const indexer = await startIndexer(kafka, {
    pool,
    log,
    metrics,
    groupId: config.SEARCH_CONSUMER_GROUP,
    createTopics: config.KAFKA_CREATE_TOPICS,
  })
  let stopping = false
  const ops = await startOpsServer({
    port: config.METRICS_PORT,
    registry: metrics.registry,
    checks: { postgres: async () => void (await pool.query('SELECT 1')) },
    isShuttingDown: () => stopping,
  })
  await server.listen({ host: config.GRPC_HOST, port: config.GRPC_PORT, healthPort: config.HEALTH_PORT })
  server.setServing(true)
  log.info({ metricsPort: ops.port }, 'search ready')

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
      { name: 'indexer', run: () => indexer.stop() },
      { name: 'grpc', run: () => server.shutdown(config.SHUTDOWN_TIMEOUT_MS) },
      { name: 'postgres', run: () => pool.end() },
      { name: 'ops', run: () => ops.close() },
    ],
  })
} catch (err) {
  const message = isPlatformError(err) ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)
  process.stderr.write(`search failed to start: ${message}\n`)
  process.exit(1)
}
