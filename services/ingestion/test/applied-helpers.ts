import type { Kafka, Producer } from '@catalog/kit'
import { createIdempotentProducer, createKafka, createMetrics } from '@catalog/kit'
import { silentLogger, startAtEnd, testKafka } from '@catalog/kit/testing'
import { events } from '@catalog/proto'
import { startAppliedConsumer } from '../src/jobs/applied-consumer.ts'
import type { startTestIngestion } from '../src/testing.ts'
import type { Tap } from './helpers.ts'

const log = silentLogger()

/** A Kafka client and producer of the test broker, closed at the end. */
export async function broker(t: Tap, name: string): Promise<{ kafka: Kafka; producer: Producer }> {
  const kafka = createKafka({ ...testKafka(), clientId: name, log })
  const producer = await createIdempotentProducer(kafka, log)
  t.teardown(() => producer.disconnect())
  return { kafka, producer }
}

/** Ingestion's reader of catalog.ingest.v1 in a group of its own, from the broker's end. */
export async function appliedReader(
  t: Tap,
  ing: Awaited<ReturnType<typeof startTestIngestion>>,
  kafka: Kafka,
  name: string,
  catalogGroup = CATALOG_GROUP,
) {
  const groupId = `${name}-${Date.now()}`
  await startAtEnd(kafka, groupId, events.TOPICS.ingest)
  const metrics = createMetrics({ service: name, defaultMetrics: false })
  const reader = await startAppliedConsumer(kafka, {
    pool: ing.pool,
    producer: ing.producer,
    log,
    metrics,
    jobMetrics: ing.jobMetrics,
    groupId,
    catalogGroup,
  })
  t.teardown(() => reader.stop())
  return {
    stalled: async () =>
      (await metrics.registry.getSingleMetric('ingestion_jobs_applying_stalled_seconds')?.get())?.values[0]?.value,
  }
}

/** The catalog group whose totals the readers here take, unless a test names its own. */
export const CATALOG_GROUP = 'catalog-ingest'
