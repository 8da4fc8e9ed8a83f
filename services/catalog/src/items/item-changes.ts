import { events } from '@catalog/proto'
import type { ItemRow } from './item-row.ts'
import { ITEM_COLUMNS } from './item-row.ts'

/*
 * What every change of an item writes beside the item, as SQL that the changing statement carries
 * in data-modifying CTEs: its price history row and its outbox events. A write is then one
 * statement, one round trip and its own transaction, instead of BEGIN, lock, write, price, outbox,
 * COMMIT, and the change, its price and its events still commit together or not at all.
 *
 * The writing statement names its changed rows `changed`: the item after the change (`new.*`)
 * plus `old_amount` and `old_currency`, the price before it (null for a new item).
 */

/** A changed row as the writing statements return it. */
export interface ChangedRow extends ItemRow {
  /** null when the statement inserted the row. */
  old_id: string | null
  /** The deletion time before the change: set when the change revived a deleted item. */
  old_deleted_at: Date | null
  old_amount: string | null
  old_currency: string | null
}

/** RETURNING list of the writing statements. */
export const RETURNING_CHANGE = `old.id AS old_id, old.deleted_at AS old_deleted_at, old.price_amount_minor AS old_amount,
  old.price_currency AS old_currency, ${ITEM_COLUMNS.split(', ')
    .map((c) => `new.${c}`)
    .join(', ')}`

/** The changed row as an event's `data`; every value in its text form, which pg's own parsers read back. */
const EVENT_DATA = `jsonb_build_object(
  'id', c.id, 'tenant', c.tenant, 'source', c.source, 'external_id', c.external_id, 'title', c.title,
  'description', c.description, 'tags', c.tags, 'attributes', c.attributes,
  'price_amount_minor', c.price_amount_minor::text, 'price_currency', c.price_currency,
  'published_at', c.published_at::text, 'created_at', c.created_at::text, 'updated_at', c.updated_at::text,
  'version', c.version::text, 'deleted_at', c.deleted_at::text,
  'old_amount', c.old_amount::text, 'old_currency', c.old_currency)`

const PRICE_MOVED = '(c.old_amount, c.old_currency) IS DISTINCT FROM (c.price_amount_minor, c.price_currency)'

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`
const ITEM_EVENT = `(1, ${quote(events.TOPICS.item)}, ${quote(events.TYPES.itemUpserted)})`
const PRICE_EVENT = `(2, ${quote(events.TOPICS.price)}, ${quote(events.TYPES.priceChanged)})`
const DELETE_EVENT = `(1, ${quote(events.TOPICS.item)}, ${quote(events.TYPES.itemDeleted)})`

/**
 * The CTEs that record an upsert's or update's consequences: a price history row when the price
 * moved (or a new item has one), with the price it replaced, an `item.upserted` event, and a `price.changed` event when the
 * price moved. `headers` is the SQL of each event's headers: it may read `c`, the changed row, and
 * what `join` joins to it.
 */
export function recordChange(headers: string, join = ''): string {
  return `, prices AS (
    INSERT INTO price_history (item_id, item_version, tenant, amount_minor, currency, changed_at, old_amount_minor, old_currency)
    SELECT c.id, c.version, c.tenant, c.price_amount_minor, c.price_currency, c.updated_at, c.old_amount, c.old_currency
      FROM changed c WHERE ${PRICE_MOVED}
  ), events AS (
    INSERT INTO outbox_events (topic, key, type, tenant, data, headers)
    SELECT e.topic, c.id::text, e.type, c.tenant, ${EVENT_DATA}, ${headers}
      FROM changed c ${join} CROSS JOIN LATERAL (VALUES ${ITEM_EVENT}, ${PRICE_EVENT}) AS e(n, topic, type)
     WHERE e.n = 1 OR ${PRICE_MOVED}
     ORDER BY c.id, e.n
  )`
}

/** The CTE that records a soft delete: one `item.deleted` event. */
export function recordDelete(headers: string): string {
  return `, events AS (
    INSERT INTO outbox_events (topic, key, type, tenant, data, headers)
    SELECT e.topic, c.id::text, e.type, c.tenant, ${EVENT_DATA}, ${headers}
      FROM changed c CROSS JOIN LATERAL (VALUES ${DELETE_EVENT}) AS e(n, topic, type)
  )`
}

/**
 * item.upserted again for a page of live items, marked `republished` (readers apply it at the
 * version they hold, to rebuild what they keep of it). $1 tenant, $2 after this id, $3 page size.
 */
export const REPUBLISH = `WITH page AS (
    SELECT i.*, NULL::bigint AS old_amount, NULL::text AS old_currency FROM items i
     WHERE i.tenant = $1 AND i.deleted_at IS NULL AND i.id > $2::uuid
     ORDER BY i.id LIMIT $3
  ), events AS (
    INSERT INTO outbox_events (topic, key, type, tenant, data, headers)
    SELECT ${quote(events.TOPICS.item)}, c.id::text, ${quote(events.TYPES.itemUpserted)}, c.tenant, ${EVENT_DATA},
           '{"republished": "true"}'::jsonb
      FROM page c ORDER BY c.id
  )
  SELECT count(*)::int AS published, (SELECT id FROM page ORDER BY id DESC LIMIT 1) AS last FROM page`

/** Event headers from a `$n` parameter holding the caller's traceparent (or null). */
export const traceHeaders = (param: string) =>
  `CASE WHEN ${param}::text IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('traceparent', ${param}::text) END`
