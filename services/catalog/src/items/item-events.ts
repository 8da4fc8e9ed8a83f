import { events, toTimestamp } from '@catalog/proto'
import pg from 'pg'
import type { ItemRow } from './item-row.ts'
import { priceOf, toItem } from './item-row.ts'

type Times = 'published_at' | 'created_at' | 'updated_at' | 'deleted_at'

/**
 * An outbox event's `data` as the writing statement made it (item-changes.ts): the changed row with
 * its times as text, and the price before the change.
 */
export type EventData = Omit<ItemRow, Times> & {
  published_at: string | null
  created_at: string
  updated_at: string
  deleted_at: string | null
  old_amount: string | null
  old_currency: string | null
}

// The parser pg applies to timestamptz columns, so an event's times equal those a read returns.
const parseTime = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date
const time = (text: string | null) => (text === null ? null : parseTime(text))

function rowOf(d: EventData): ItemRow {
  return {
    ...d,
    published_at: time(d.published_at),
    created_at: parseTime(d.created_at),
    updated_at: parseTime(d.updated_at),
    deleted_at: time(d.deleted_at),
  }
}

/**
 * The protobuf payload of an outbox event, made by the relay when it publishes: the item's
 * snapshot (`item.upserted`), its price change (`price.changed`: the price before and after), or
 * its tombstone (`item.deleted`).
 */
export function encodeItemEvent(type: string, data: EventData): Buffer {
  const row = rowOf(data)
  switch (type) {
    case events.TYPES.itemUpserted:
      return events.itemUpserted.encode({ item: toItem(row) })
    case events.TYPES.priceChanged:
      return events.priceChanged.encode({
        item_id: row.id,
        tenant: row.tenant,
        previous:
          data.old_amount === null || data.old_currency === null
            ? null
            : { amount_minor: data.old_amount, currency: data.old_currency },
        current: priceOf(row),
        item_version: row.version,
        changed_at: toTimestamp(row.updated_at),
      })
    case events.TYPES.itemDeleted:
      return events.itemDeleted.encode({
        id: row.id,
        tenant: row.tenant,
        version: row.version,
        deleted_at: toTimestamp(row.deleted_at ?? row.updated_at),
      })
    default:
      throw new Error(`no encoder for outbox event type "${type}"`)
  }
}
