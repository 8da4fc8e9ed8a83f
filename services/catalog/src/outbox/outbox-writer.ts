import { randomUUID } from 'node:crypto'
import type { PoolClient } from '@catalog/kit'
import { currentTraceparent } from '@catalog/kit'

export interface OutboxEvent {
  topic: string
  /** The Kafka key: events of one key keep their order. */
  key: string
  /** The CloudEvents type, for example `item.upserted`. */
  type: string
  tenant: string
  payload: Buffer
  /** The trace of the change; defaults to the trace of the call in progress. */
  traceparent?: string
}

/**
 * Appends events in the caller's transaction: they exist if and only if the change that made
 * them commits (no dual write). Their ids travel as CloudEvents `ce_id`, so consumers can drop
 * the duplicates that at-least-once delivery brings.
 */
export async function appendToOutbox(client: PoolClient, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return
  const values: unknown[] = []
  const current = currentTraceparent()
  const rows = events.map((e, i) => {
    const traceparent = e.traceparent ?? current
    values.push(randomUUID(), e.topic, e.key, e.type, e.tenant, e.payload, traceparent ? { traceparent } : {})
    const o = i * 7
    return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, $${o + 7})`
  })
  // The relay copies `headers` into the Kafka message: the W3C trace context travels with the event.
  await client.query(
    `INSERT INTO outbox (event_id, topic, key, type, tenant, payload, headers) VALUES ${rows.join(', ')}`,
    values,
  )
}
