import type { Kafka } from 'kafkajs'

export interface TopicSpec {
  topic: string
  partitions: number
  retentionMs: number
}

const DAY = 24 * 60 * 60 * 1000

/** Where the object store publishes S3 event notifications of dropped files, by default (DROP_EVENTS_TOPIC). */
export const DROP_EVENTS_TOPIC = 's3.events.v1'

/** The topics of the platform (see DESIGN.md): partitions bound consumer replicas; the DLQ keeps longer. */
export const PLATFORM_TOPICS: TopicSpec[] = [
  { topic: 'catalog.item.v1', partitions: 6, retentionMs: 7 * DAY },
  { topic: 'catalog.price.v1', partitions: 6, retentionMs: 7 * DAY },
  // Item events the search indexer cannot apply, for operators to inspect.
  { topic: 'catalog.item.dlq.v1', partitions: 3, retentionMs: 30 * DAY },
  { topic: 'ingestion.record.v1', partitions: 6, retentionMs: 3 * DAY },
  { topic: 'ingestion.record.dlq.v1', partitions: 3, retentionMs: 30 * DAY },
  { topic: 'ingestion.job.v1', partitions: 3, retentionMs: 7 * DAY },
  // The catalog's running counts of each ingestion job's records: what makes a job complete.
  { topic: 'catalog.ingest.v1', partitions: 3, retentionMs: 7 * DAY },
  // S3 event notifications of new objects in the drop bucket, as the object store writes them (JSON, not CloudEvents).
  { topic: DROP_EVENTS_TOPIC, partitions: 3, retentionMs: 7 * DAY },
]

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t.topic))
    if (missing.length === 0) return []
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor,
        configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
      })),
    })
    return missing.map((t) => t.topic)
  } finally {
    await admin.disconnect()
  }
}
