import type { Kafka, Logger, Metrics } from '@catalog/kit'
import { createIdempotentProducer, ensureTopics, PLATFORM_TOPICS, startBatchConsumer } from '@catalog/kit'
import { events } from '@catalog/proto'
import type { SearchEngine } from '../engine.ts'
import { createItemIndexer } from './item-indexer.ts'

/**
 * Joins the indexer group on catalog.item.v1. An event it can never apply (one that does not
 * decode, or that the engine refuses the same way `maxAttempts` times, as a value it cannot
 * store) goes to catalog.item.dlq.v1 with its reason, and its partition moves on.
 */
export async function startIndexer(
  kafka: Kafka,
  deps: {
    engine: SearchEngine
    log: Logger
    metrics: Metrics
    groupId: string
    createTopics: boolean
    sessionTimeoutMs?: number
    /** See BatchConsumerOptions.maxAttempts (SEARCH_INDEX_MAX_ATTEMPTS). */
    maxAttempts?: number
  },
) {
  if (deps.createTopics) await ensureTopics(kafka, PLATFORM_TOPICS)
  const producer = await createIdempotentProducer(kafka, deps.log)
  const indexer = createItemIndexer(deps.engine, deps.metrics, deps.log)
  const consumer = await startBatchConsumer(kafka, {
    groupId: deps.groupId,
    topics: [events.TOPICS.item],
    handle: (messages) => indexer.handle(messages),
    dlq: { topic: 'catalog.item.dlq.v1', producer },
    log: deps.log,
    metrics: deps.metrics,
    sessionTimeoutMs: deps.sessionTimeoutMs,
    maxAttempts: deps.maxAttempts,
    // Events are keyed by item, so partitions touch different rows: applying three at once keeps
    // the index fresh while one batch waits on its commit.
    partitionsConcurrently: 3,
  })
  return {
    async stop() {
      await consumer.disconnect()
      await producer.disconnect()
    },
  }
}
