import { readFileSync } from 'node:fs'
import type { Logger, Metrics, Pool } from '@catalog/kit'
import { ConfigError, createKafka, kafkaCheck, kafkaConnection, runGrpcService, serverDeps } from '@catalog/kit'
import type { SearchConfig } from './config.ts'
import { loadSearchConfig } from './config.ts'
import type { SearchEngine } from './engine.ts'
import { startIndexer } from './indexer/start-indexer.ts'
import { createOpenSearchEngine } from './opensearch/opensearch-engine.ts'
import { createPostgresEngine } from './postgres/postgres-engine.ts'
import { build, MIGRATIONS_DIR } from './server.ts'

/** The engine SEARCH_ENGINE names, with the same bounds on a search whichever it is. */
function engineOf(config: SearchConfig, deps: { pool: Pool; log: Logger; metrics: Metrics }): SearchEngine {
  const bounds = {
    statementTimeoutMs: config.SEARCH_STATEMENT_TIMEOUT_MS,
    countCap: config.SEARCH_EXACT_COUNT_UP_TO,
    patternScanMaxItems: config.SEARCH_PATTERN_SCAN_MAX_ITEMS,
  }
  if (config.SEARCH_ENGINE === 'postgres') return createPostgresEngine(deps.pool, bounds)
  const read = (variable: string, path: string | undefined) => {
    if (path === undefined) return undefined
    try {
      return readFileSync(path)
    } catch (err) {
      throw new ConfigError(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }
  const password =
    config.OPENSEARCH_PASSWORD ?? read('OPENSEARCH_PASSWORD_FILE', config.OPENSEARCH_PASSWORD_FILE)?.toString('utf8').trim()
  return createOpenSearchEngine(
    {
      ...bounds,
      connection: {
        // loadSearchConfig refuses SEARCH_ENGINE=opensearch without it.
        url: config.OPENSEARCH_URL ?? '',
        ...(config.OPENSEARCH_USERNAME && password ? { username: config.OPENSEARCH_USERNAME, password } : {}),
        ...(config.OPENSEARCH_CA_FILE ? { ca: read('OPENSEARCH_CA_FILE', config.OPENSEARCH_CA_FILE) } : {}),
      },
      indexPrefix: config.OPENSEARCH_INDEX_PREFIX,
      shards: config.OPENSEARCH_SHARDS,
      replicas: config.OPENSEARCH_REPLICAS,
    },
    deps,
  )
}

await runGrpcService({
  name: 'search',
  loadConfig: loadSearchConfig,
  migrationsDir: MIGRATIONS_DIR,
  async start(ctx) {
    const { config, log, metrics, pool } = ctx
    const engine = engineOf(config, { pool, log, metrics })
    const server = build({
      ...serverDeps(ctx, { callers: config.SEARCH_ALLOWED_CALLERS, forwarders: config.SEARCH_FORWARDERS }),
      engine,
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
      workers: [
        { name: 'indexer', run: indexer.stop },
        { name: engine.name, run: engine.close },
      ],
      checks: {
        // Queries go on from the index while Kafka is away (it only grows stale): reported, still serving.
        kafka: { soft: true, check: kafkaCheck(kafka) },
        // Without its engine the service answers nothing: not ready, with the reason.
        [engine.name]: engine.ready,
      },
    }
  },
})
