import type { ServiceContext } from '@catalog/kit'
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  kafkaCheck,
  kafkaConnection,
  PLATFORM_TOPICS,
  runGrpcService,
  serverDeps,
} from '@catalog/kit'
import type { CatalogConfig } from './config.ts'
import { loadCatalogConfig } from './config.ts'
import { startIngestConsumer } from './ingest/ingest-consumer.ts'
import { createOutboxRelay } from './outbox/outbox-relay.ts'
import { startPriceMaintenance } from './prices/price-partitions.ts'
import { build, MIGRATIONS_DIR } from './server.ts'

await runGrpcService({
  name: 'catalog',
  loadConfig: loadCatalogConfig,
  migrationsDir: MIGRATIONS_DIR,
  async start(ctx) {
    const { config, pool } = ctx
    // The relay starts after the server is built: writes reach it through this late binding.
    let wake: () => void = () => undefined
    const onChange = () => wake()
    const server = build({
      ...serverDeps(ctx, { callers: config.CATALOG_ALLOWED_CALLERS, forwarders: config.CATALOG_FORWARDERS }),
      pool,
      onChange,
    })
    // The months of price history: made ahead, and dropped past the retention.
    const prices = await startPriceMaintenance(
      { pool, log: ctx.log, metrics: ctx.metrics },
      { monthsAhead: config.PRICE_HISTORY_MONTHS_AHEAD, retentionDays: config.PRICE_HISTORY_RETENTION_DAYS },
    )
    const kafkaWorkers = await startKafkaWorkers(ctx, onChange)
    const maintenance = { name: 'price history maintenance', run: async () => prices.stop() }
    if (!kafkaWorkers) return { server, workers: [maintenance] }
    wake = kafkaWorkers.wake
    return {
      server,
      workers: [maintenance, { name: 'outbox relay and ingest consumer', run: kafkaWorkers.stop }],
      // Writes go on into the outbox while Kafka is away: reported, not a reason to stop serving.
      checks: { kafka: { soft: true, check: kafkaCheck(kafkaWorkers.kafka) } },
    }
  },
})

/**
 * The outbox relay and the ingest consumer run only where Kafka is configured; without it the
 * outbox simply waits.
 */
async function startKafkaWorkers({ config, log, metrics, pool }: ServiceContext<CatalogConfig>, onChange: () => void) {
  if (!config.KAFKA_BROKERS) {
    log.warn('KAFKA_BROKERS is not set: events stay in the outbox until a relay runs')
    return undefined
  }
  const kafka = createKafka({ ...kafkaConnection(config), clientId: config.SERVICE_NAME, log })
  if (config.KAFKA_CREATE_TOPICS) await ensureTopics(kafka, PLATFORM_TOPICS)
  const producer = await createIdempotentProducer(kafka, log)
  const relay = createOutboxRelay({ pool, producer, log, metrics, source: `/${config.SERVICE_NAME}` })
  relay.start()
  const ingest = await startIngestConsumer(kafka, {
    pool,
    producer,
    log,
    metrics,
    groupId: config.CATALOG_INGEST_GROUP,
    maxAttempts: config.CATALOG_INGEST_MAX_ATTEMPTS,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    onChange,
  })
  return {
    kafka,
    wake: relay.wake,
    async stop() {
      await ingest.stop()
      await relay.stop()
      await producer.disconnect()
    },
  }
}
