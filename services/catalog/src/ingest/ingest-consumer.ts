import type { BatchOrigin, HandledBatch, Kafka, KafkaMessage, Logger, Metrics, Pool, Producer } from '@catalog/kit'
import {
  cloudEventHeaders,
  deadLetterId,
  isPlatformError,
  PoisonMessageError,
  readCloudEvent,
  startBatchConsumer,
  withTransaction,
} from '@catalog/kit'
import { events } from '@catalog/proto'
import { Counter } from 'prom-client'
import type { ItemValues } from '../items/item-rules.ts'
import { checkFields, checkNaturalKey, FIELD_PATHS } from '../items/item-rules.ts'
import type { RecordOutcome } from './ingest-progress.ts'
import { countOutcomes, sendProgress } from './ingest-progress.ts'
import type { KeyedValues } from './ingest-store.ts'
import { upsertMany } from './ingest-store.ts'
import { tenantProblem } from './record-tenant.ts'

// Rows per statement: bounded by the size of its one jsonb argument and of the events it writes.
const CHUNK = 1_000

/** A record the catalog refuses, on its way to ingestion.record.dlq.v1. */
interface Rejected {
  message: KafkaMessage
  reason: string
  field: string
  tenant: string
  jobId: string
  position: string
}

/**
 * Applies ingestion.record.v1 to the catalog: each Kafka batch becomes one transaction of
 * set-based upserts (with price history and outbox rows), so unchanged records change nothing and
 * offsets commit only after the commit. A record the catalog's rules refuse, or whose tenant it
 * cannot trust (record-tenant.ts), goes to ingestion.record.dlq.v1 with its reason, without
 * holding up the others. The same transaction adds what became of each record to its job's
 * totals (ingest-progress.ts), which then go to catalog.ingest.v1: ingestion completes a job when
 * they account for every record it published.
 */
export function createIngestApplier(deps: {
  pool: Pool
  producer: Producer
  log: Logger
  metrics: Metrics
  /** The consumer group applying the records: named on the totals (CATALOG_INGEST_GROUP). */
  groupId: string
  /** Runs after a batch changed items (it wakes the outbox relay). */
  onChange?: () => void
}) {
  const applied = new Counter({
    name: 'catalog_ingest_records_total',
    help: 'Ingestion records consumed, by outcome (changed, unchanged, rejected).',
    labelNames: ['outcome'],
    registers: [deps.metrics.registry],
  })
  const refused = new Counter({
    name: 'catalog_ingest_refused_total',
    help: 'Ingestion records rejected because their tenant is missing, malformed or not the one their key names.',
    registers: [deps.metrics.registry],
  })

  return async function handle(messages: KafkaMessage[], from: BatchOrigin): Promise<HandledBatch> {
    // The last record of a key wins: Kafka keeps one key's records in order on one partition.
    const byKey = new Map<string, KeyedValues>()
    const rejected: Rejected[] = []
    const distrusted: Rejected[] = []
    // A record superseded by a later one of its key within the batch counts as applied: its key ends as the last says.
    const outcomes: RecordOutcome[] = []
    for (const message of messages) {
      if (!message.value) throw new PoisonMessageError('record without a payload')
      let record: ReturnType<typeof events.recordSubmitted.decode>
      try {
        record = events.recordSubmitted.decode(message.value)
      } catch (err) {
        throw new PoisonMessageError(`undecodable record.submitted: ${(err as Error).message}`)
      }
      const refusal = { message, tenant: record.tenant, jobId: record.job_id, position: record.position }
      const outcome = { jobId: record.job_id, tenant: record.tenant, offset: message.offset }
      const problem = tenantProblem(record.tenant, message.key)
      if (problem) {
        // Not counted toward any job: its tenant, and so whose job it is, cannot be trusted.
        distrusted.push({ ...refusal, reason: problem, field: 'tenant' })
        continue
      }
      try {
        checkNaturalKey(record.source, record.external_id)
        const values = checkFields(record.fields, FIELD_PATHS) as ItemValues
        const key = `${record.tenant}\u0000${record.source}\u0000${record.external_id}`
        byKey.delete(key)
        const { traceparent } = readCloudEvent(message.headers)
        byKey.set(key, {
          tenant: record.tenant,
          source: record.source,
          externalId: record.external_id,
          values,
          ...(traceparent ? { traceparent } : {}),
        })
        outcomes.push({ ...outcome, applied: true })
      } catch (err) {
        if (!isPlatformError(err)) throw err
        outcomes.push({ ...outcome, applied: false })
        const violation = err.violations[0]
        rejected.push({
          ...refusal,
          reason: violation?.description ?? err.message,
          field: violation?.field.replace(/^fields\./, '') ?? '',
        })
      }
    }
    const records = [...byKey.values()]
    const { changed, progress } = await withTransaction(deps.pool, async (c) => {
      let n = 0
      for (let i = 0; i < records.length; i += CHUNK) n += await upsertMany(c, records.slice(i, i + CHUNK))
      return { changed: n, progress: await countOutcomes(c, from, outcomes) }
    })
    if (changed > 0) deps.onChange?.()
    // Only once the rest is applied: a batch that fails before then is tried again without having
    // sent its rejections or totals, so they go out once (or, delivered again, under the same ids).
    rejected.push(...distrusted)
    await sendRejections(deps.producer, from, rejected)
    await sendProgress(deps.producer, from, progress, deps.groupId)
    applied.inc({ outcome: 'changed' }, changed)
    applied.inc({ outcome: 'unchanged' }, records.length - changed)
    applied.inc({ outcome: 'rejected' }, rejected.length)
    refused.inc(distrusted.length)
    for (const r of distrusted)
      deps.log.warn(
        { ...from, offset: r.message.offset, tenant: r.tenant.slice(0, 200), reason: r.reason },
        'ingestion record refused: its tenant cannot be trusted',
      )
    return { deadLettered: rejected.map((r) => r.message.offset) }
  }
}

/**
 * Sends record.rejected events for `rejected` to ingestion.record.dlq.v1. Each id is derived from
 * the record's place in the topic: one sent again (its batch delivered again) is a duplicate that
 * the DLQ's readers drop.
 */
async function sendRejections(producer: Producer, from: BatchOrigin, rejected: readonly Rejected[]): Promise<void> {
  if (rejected.length === 0) return
  await producer.send({
    topic: events.INGESTION_TOPICS.recordDlq,
    acks: -1,
    messages: rejected.map((r) => ({
      key: r.message.key,
      value: events.recordRejected.encode({
        tenant: r.tenant,
        job_id: r.jobId,
        error: { position: r.position, field: r.field, reason: r.reason },
        raw: r.message.value ?? Buffer.alloc(0),
      }),
      headers: cloudEventHeaders({
        id: deadLetterId(events.INGESTION_TYPES.recordRejected, { ...from, offset: r.message.offset }),
        type: events.INGESTION_TYPES.recordRejected,
        source: '/catalog',
        time: new Date(),
        headers: {
          'dlq-reason': r.reason.slice(0, 500),
          'dlq-field': r.field,
          'dlq-position': r.position,
          'dlq-job': r.jobId,
        },
      }),
    })),
  })
}

/**
 * A record the consumer set aside (one the database refused though the rules passed it) counts as
 * refused for its job, as a rejection would: its job can still complete. One too broken to decode
 * names no job.
 */
function countSetAside(deps: { pool: Pool; producer: Producer; groupId: string }) {
  return async (message: KafkaMessage, from: BatchOrigin) => {
    let record: ReturnType<typeof events.recordSubmitted.decode>
    try {
      record = events.recordSubmitted.decode(message.value ?? Buffer.alloc(0))
    } catch {
      return
    }
    // As in a batch: a record whose tenant cannot be trusted counts toward no job.
    if (tenantProblem(record.tenant, message.key)) return
    const outcome = { jobId: record.job_id, tenant: record.tenant, offset: message.offset, applied: false }
    const progress = await withTransaction(deps.pool, (c) => countOutcomes(c, from, [outcome]))
    await sendProgress(deps.producer, from, progress, deps.groupId)
  }
}

/**
 * Joins the catalog's ingest group on ingestion.record.v1. A record that fails the same way
 * `maxAttempts` times (a value the database refuses though the rules passed it) goes to
 * ingestion.record.dlq.v1 with the reason, and its partition moves on.
 */
export async function startIngestConsumer(
  kafka: Kafka,
  deps: {
    pool: Pool
    producer: Producer
    log: Logger
    metrics: Metrics
    groupId: string
    /** See BatchConsumerOptions.maxAttempts: a record that can never be applied goes to the DLQ. */
    maxAttempts?: number
    sessionTimeoutMs?: number
    onChange?: () => void
  },
) {
  const consumer = await startBatchConsumer(kafka, {
    groupId: deps.groupId,
    topics: [events.INGESTION_TOPICS.record],
    handle: createIngestApplier(deps),
    dlq: { topic: events.INGESTION_TOPICS.recordDlq, producer: deps.producer },
    log: deps.log,
    metrics: deps.metrics,
    sessionTimeoutMs: deps.sessionTimeoutMs,
    maxAttempts: deps.maxAttempts,
    onDeadLettered: countSetAside(deps),
  })
  return { stop: () => consumer.disconnect() }
}
