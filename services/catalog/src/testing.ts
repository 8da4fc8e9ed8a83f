import type { PlatformGrpcServer, Pool } from '@catalog/kit'
import { createIdempotentProducer, createKafka, createMetrics, ensureTopics, PLATFORM_TOPICS } from '@catalog/kit'
import { listenForTest, silentLogger, testKafka, testServiceBase } from '@catalog/kit/testing'
import type { OutboxRelay, OutboxRelayOptions } from './outbox/outbox-relay.ts'
import { createOutboxRelay } from './outbox/outbox-relay.ts'

/** The catalog's ingest consumer, for tests of the bulk path that run it beside their own services. */
export { createIngestApplier, startIngestConsumer } from './ingest/ingest-consumer.ts'
/** The price reads' own statements, for the price bench's direct baseline (scripts/bench/prices.ts). */
export { listChanges } from './prices/price-changes.ts'
/** The months of price history, for the bench's two years of generated changes and its retention pass. */
export {
  dropPricePartitions,
  ensurePricePartitions,
  pricePartitions,
  writePriceHistory,
} from './prices/price-partitions.ts'
export { listPricesInWindow } from './prices/price-store.ts'
export { summarizePrices } from './prices/price-summary.ts'

import { build, MIGRATIONS_DIR } from './server.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

/** A real catalog for other packages' tests: its own fresh database, real mTLS, a free port. */
export async function startTestCatalog(
  t: Tap,
): Promise<{ address: string; port: number; pool: Pool; url: string; server: PlatformGrpcServer }> {
  const base = await testServiceBase(t, 'catalog', { migrationsDir: MIGRATIONS_DIR, poolMax: 8, statementTimeoutMs: 5_000 })
  const server = build({ ...base.serverDeps, pool: base.pool })
  const { port, address } = await listenForTest(t, server)
  return { address, port, pool: base.pool, url: base.url, server }
}

/**
 * The outbox relays of a test catalog's database on the test broker, as the catalog process runs
 * them: `relay()` makes one (started or not by the test) publishing through `producer` (or one of
 * the test's own, a producer that fails on purpose, say); every relay made, then the producer, stop
 * when the test ends.
 */
export async function testRelays(t: Tap, pool: Pool, options: { clientId: string; pollMs?: number }) {
  const log = silentLogger('catalog')
  const kafka = createKafka({ ...testKafka(), clientId: options.clientId, log })
  await ensureTopics(kafka, PLATFORM_TOPICS)
  const producer = await createIdempotentProducer(kafka, log)
  const relays: OutboxRelay[] = []
  t.teardown(async () => {
    for (const relay of relays) await relay.stop()
    await producer.disconnect()
  })
  return {
    kafka,
    producer,
    relay(overrides: Partial<OutboxRelayOptions> = {}): OutboxRelay {
      const relay = createOutboxRelay({
        pool,
        producer,
        log,
        metrics: createMetrics({ service: 'catalog', defaultMetrics: false }),
        source: '/catalog',
        pollMs: options.pollMs ?? 50,
        ...overrides,
      })
      relays.push(relay)
      return relay
    },
  }
}
