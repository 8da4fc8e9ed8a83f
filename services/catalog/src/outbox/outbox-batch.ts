import type { PoolClient, Producer } from '@catalog/kit'
import { cloudEventHeaders, SpanKind, SpanStatusCode, startSpan } from '@catalog/kit'
import type { OutboxMetrics } from './outbox-metrics.ts'

interface OutboxRow {
  id: string
  event_id: string
  topic: string
  key: string
  type: string
  payload: Buffer
  headers: Record<string, string>
  created_at: Date
}

interface EventRow extends Omit<OutboxRow, 'payload'> {
  data: never
}

/**
 * Where events wait: `outbox_events` (one statement writes a change and its events as JSON, the
 * relay encodes them; deleted once published), and before it `outbox`, where replicas of the
 * previous release write encoded events during a rolling upgrade (marked published).
 */
const TABLES = {
  legacy: {
    take: `SELECT id, event_id, topic, key, type, payload, headers, created_at
             FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
    done: 'UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])',
  },
  events: {
    take: 'SELECT id, event_id, topic, key, type, data, headers, created_at FROM outbox_events ORDER BY id LIMIT $1',
    done: 'DELETE FROM outbox_events WHERE id = ANY($1::bigint[])',
  },
} as const

export type OutboxTable = keyof typeof TABLES

export interface BatchPublisher {
  producer: Producer
  metrics: OutboxMetrics
  /** CloudEvents `source` of the events. */
  source: string
  encode: (type: string, data: never) => Buffer
  batchSize: number
}

type Message = { key: string; value: Buffer; headers: ReturnType<typeof cloudEventHeaders> }

/**
 * Publishes one batch of a table on the leader's session and returns how many rows it took. The
 * rows go only once the broker acked them.
 */
export async function publishBatch(session: PoolClient, table: OutboxTable, publisher: BatchPublisher): Promise<number> {
  const { rows } = await session.query<OutboxRow | EventRow>({
    name: `outbox.take-${table}`,
    text: TABLES[table].take,
    values: [publisher.batchSize],
  })
  if (rows.length === 0) return 0
  await send(rows, publisher)
  const acked = Date.now()
  await session.query({ name: `outbox.done-${table}`, text: TABLES[table].done, values: [rows.map((r) => r.id)] })
  publisher.metrics.published.inc(rows.length)
  for (const row of rows) publisher.metrics.delay.observe(Math.max(0, (acked - row.created_at.getTime()) / 1000))
  return rows.length
}

/**
 * Sends the rows, grouped by topic. Each event's publish continues the trace of the request that
 * wrote it (the traceparent kept with the row), and its consumers continue the publish.
 */
async function send(rows: (OutboxRow | EventRow)[], { producer, source, encode }: BatchPublisher): Promise<void> {
  const byTopic = new Map<string, Message[]>()
  const spans = rows.map((row) => {
    const { span, traceparent } = startSpan(`${row.topic} publish`, {
      kind: SpanKind.PRODUCER,
      parent: row.headers.traceparent,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': row.topic,
        'messaging.message.id': row.event_id,
      },
    })
    const messages = byTopic.get(row.topic) ?? []
    messages.push({
      key: row.key,
      value: 'payload' in row ? row.payload : encode(row.type, row.data),
      headers: cloudEventHeaders({
        id: row.event_id,
        type: row.type,
        source,
        time: row.created_at,
        headers: traceparent ? { ...row.headers, traceparent } : row.headers,
      }),
    })
    byTopic.set(row.topic, messages)
    return span
  })
  try {
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
  } catch (err) {
    for (const span of spans)
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) })
    throw err
  } finally {
    for (const span of spans) span.end()
  }
}
