import { createKafka, kafkaCheck, kafkaConnection, list, runGrpcService } from '@catalog/kit'
import { loadSearchConfig } from './config.ts'
import { startIndexer } from './indexer/start-indexer.ts'
import { createPostgresEngine } from './postgres/postgres-engine.ts'
import { build, MIGRATIONS_DIR } from './server.ts'

await runGrpcService({
  name: 'search',
  loadConfig: loadSearchConfig,
  migrationsDir: MIGRATIONS_DIR,
  async start({ config, log, metrics, tls, pool }) {
    const callers = list(config.SEARCH_ALLOWED_CALLERS)
    const engine = createPostgresEngine(pool, {
      statementTimeoutMs: config.SEARCH_STATEMENT_TIMEOUT_MS,
      countCap: config.SEARCH_EXACT_COUNT_UP_TO,
      patternScanMaxItems: config.SEARCH_PATTERN_SCAN_MAX_ITEMS,
    })
    const server = build({
      engine,
      log,
      metrics,
      tls,
      trustDomain: config.TLS_TRUST_DOMAIN,
      callers,
      forwarders: list(config.SEARCH_FORWARDERS),
      reflection: list(config.GRPC_REFLECTION_CALLERS),
      expensiveLimits: { perTenant: config.SEARCH_EXPENSIVE_PER_TENANT, total: config.SEARCH_EXPENSIVE_TOTAL },
    })
    const kafka = createKafka({ ...kafkaConnection(config), clientId: config.SERVICE_NAME, log })
    const indexer = await startIndexer(kafka, {
      engine,
      log,
      metrics,
      groupId: config.SEARCH_CONSUMER_GROUP,
      maxAttempts: config.SEARCH_INDEX_MAX_ATTEMPTS,
      createTopics: config.KAFKA_CREATE_TOPICS,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    })
    return {
      server,
      workers: [{ name: 'indexer', run: indexer.stop }],
      // Queries go on from the index while Kafka is away (it only grows stale): reported, still serving.
      checks: { kafka: { soft: true, check: kafkaCheck(kafka) } },
    }
  },
})
