import type { PlatformGrpcServer, Pool } from '@catalog/kit'
import {
  createIdempotentProducer,
  createKafka,
  createMetrics,
  createPool,
  ensureTopics,
  migrate,
  PLATFORM_TOPICS,
} from '@catalog/kit'
import { silentLogger, testCerts, testDatabase, testKafka } from '@catalog/kit/testing'
import type { OutboxRelay, OutboxRelayOptions } from './outbox/outbox-relay.ts'
import { createOutboxRelay } from './outbox/outbox-relay.ts'

/** The catalog's ingest consumer, for tests of the bulk path that run it beside their own services. */
export { createIngestApplier, startIngestConsumer } from './ingest/ingest-consumer.ts'

import { build, MIGRATIONS_DIR } from './server.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

/** A real catalog for other packages' tests: its own fresh database, real mTLS, a free port. */
export async function startTestCatalog(
  t: Tap,
): Promise<{ address: string; port: number; pool: Pool; url: string; server: PlatformGrpcServer }> {
  const log = silentLogger('catalog')
  const url = await testDatabase(t)
  await migrate(url, MIGRATIONS_DIR, log)
  const pool = createPool({ url, max: 8, statementTimeoutMs: 5_000, applicationName: 'catalog-test' }, log)
  const server = build({
    pool,
    log,
    metrics: createMetrics({ service: 'catalog', defaultMetrics: false }),
    tls: testCerts().of('catalog'),
    trustDomain: 'catalog.platform',
    callers: ['gateway'],
  })
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, healthPort: 0 })
  server.setServing(true)
  t.teardown(async () => {
    await server.shutdown(2_000)
    await pool.end()
  })
  return { address: `localhost:${port}`, port, pool, url, server }
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
