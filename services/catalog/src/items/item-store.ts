import type { PoolClient } from '@catalog/kit'
import { v7 as uuidv7 } from 'uuid'
import { appendToOutbox } from '../outbox/outbox-writer.ts'
import { recordPrice } from '../prices/price-store.ts'
import { changeEvents, deleteEvent, priceMoved } from './item-events.ts'
import type { ItemRow } from './item-row.ts'
import { ITEM_COLUMNS } from './item-row.ts'
import type { ItemValues } from './item-rules.ts'

/*
 * The SQL of items. Every statement names the tenant, so no code path can reach another
 * tenant's row. Writers run inside one transaction that also appends the price history and the
 * outbox events, so a change and its events commit together or not at all.
 */

export async function getLive(db: Pick<PoolClient, 'query'>, tenant: string, id: string): Promise<ItemRow | undefined> {
  const { rows } = await db.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM items WHERE id = $1 AND tenant = $2 AND deleted_at IS NULL`,
    [id, tenant],
  )
  return rows[0]
}

export async function getManyLive(db: Pick<PoolClient, 'query'>, tenant: string, ids: readonly string[]): Promise<ItemRow[]> {
  const { rows } = await db.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM items WHERE id = ANY($1::uuid[]) AND tenant = $2 AND deleted_at IS NULL`,
    [ids, tenant],
  )
  return rows
}

/** Locks the row (live or deleted) for the rest of the transaction. */
export async function lockById(c: PoolClient, tenant: string, id: string): Promise<ItemRow | undefined> {
  const { rows } = await c.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE id = $1 AND tenant = $2 FOR UPDATE`, [
    id,
    tenant,
  ])
  return rows[0]
}

export async function lockByNaturalKey(
  c: PoolClient,
  tenant: string,
  source: string,
  externalId: string,
): Promise<ItemRow | undefined> {
  const { rows } = await c.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM items WHERE tenant = $1 AND source = $2 AND external_id = $3 FOR UPDATE`,
    [tenant, source, externalId],
  )
  return rows[0]
}

/** Inserts a new item, or returns undefined when its natural key is taken (live or deleted). */
export async function insertItem(
  c: PoolClient,
  key: { tenant: string; source: string; externalId: string },
  v: ItemValues,
): Promise<ItemRow | undefined> {
  const { rows } = await c.query<ItemRow>(
    `INSERT INTO items (id, tenant, source, external_id, title, description, tags, attributes,
                        price_amount_minor, price_currency, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (tenant, source, external_id) DO NOTHING
     RETURNING ${ITEM_COLUMNS}`,
    [uuidv7(), key.tenant, key.source, key.externalId, ...valueParams(v)],
  )
  const row = rows[0]
  if (row) await afterChange(c, undefined, row)
  return row
}

/**
 * Writes `v` over a locked row (reviving it when deleted). Postgres compares old and new values
 * (jsonb semantically), so a write that changes nothing updates no row, keeps the version and
 * emits nothing: it returns undefined.
 */
export async function replaceItem(c: PoolClient, current: ItemRow, v: ItemValues): Promise<ItemRow | undefined> {
  const { rows } = await c.query<ItemRow>(
    `UPDATE items
        SET title = $3, description = $4, tags = $5, attributes = $6, price_amount_minor = $7,
            price_currency = $8, published_at = $9, deleted_at = NULL, version = version + 1, updated_at = now()
      WHERE id = $1 AND tenant = $2
        AND (title, description, tags, attributes, price_amount_minor, price_currency, published_at, deleted_at IS NULL)
            IS DISTINCT FROM ($3, $4, $5::text[], $6::jsonb, $7::bigint, $8, $9::timestamptz, true)
     RETURNING ${ITEM_COLUMNS}`,
    [current.id, current.tenant, ...valueParams(v)],
  )
  const row = rows[0]
  if (row) await afterChange(c, current, row)
  return row
}

export async function softDelete(c: PoolClient, current: ItemRow): Promise<ItemRow> {
  const { rows } = await c.query<ItemRow>(
    `UPDATE items SET deleted_at = now(), updated_at = now(), version = version + 1
      WHERE id = $1 AND tenant = $2 RETURNING ${ITEM_COLUMNS}`,
    [current.id, current.tenant],
  )
  const row = rows[0] as ItemRow
  await appendToOutbox(c, [deleteEvent(row)])
  return row
}

async function afterChange(c: PoolClient, before: ItemRow | undefined, after: ItemRow): Promise<void> {
  if (priceMoved(before, after)) await recordPrice(c, after)
  await appendToOutbox(c, changeEvents(before, after))
}

function valueParams(v: ItemValues): unknown[] {
  return [
    v.title,
    v.description,
    v.tags,
    JSON.stringify(v.attributes),
    v.price?.amount_minor ?? null,
    v.price?.currency ?? null,
    v.published_at,
  ]
}
