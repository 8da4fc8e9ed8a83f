import { events, toTimestamp } from '@catalog/proto'
import type { OutboxEvent } from '../outbox/outbox-writer.ts'
import type { ItemRow } from './item-row.ts'
import { priceOf, toItem } from './item-row.ts'

/** The events one change of an item emits: its snapshot, and a price change when the price moved. */
export function changeEvents(before: ItemRow | undefined, after: ItemRow): OutboxEvent[] {
  const out: OutboxEvent[] = [
    {
      topic: events.TOPICS.item,
      key: after.id,
      type: events.TYPES.itemUpserted,
      tenant: after.tenant,
      payload: events.itemUpserted.encode({ item: toItem(after) }),
    },
  ]
  if (priceMoved(before, after)) {
    out.push({
      topic: events.TOPICS.price,
      key: after.id,
      type: events.TYPES.priceChanged,
      tenant: after.tenant,
      payload: events.priceChanged.encode({
        item_id: after.id,
        tenant: after.tenant,
        previous: before ? priceOf(before) : null,
        current: priceOf(after),
        item_version: after.version,
        changed_at: toTimestamp(after.updated_at),
      }),
    })
  }
  return out
}

export function deleteEvent(row: ItemRow): OutboxEvent {
  return {
    topic: events.TOPICS.item,
    key: row.id,
    type: events.TYPES.itemDeleted,
    tenant: row.tenant,
    payload: events.itemDeleted.encode({
      id: row.id,
      tenant: row.tenant,
      version: row.version,
      deleted_at: toTimestamp(row.deleted_at ?? row.updated_at),
    }),
  }
}

/** A price moved when it differs from the one before, or when a new item has one. */
export function priceMoved(before: ItemRow | undefined, after: ItemRow): boolean {
  const was = before ? priceOf(before) : null
  const now = priceOf(after)
  return was?.amount_minor !== now?.amount_minor || was?.currency !== now?.currency
}
