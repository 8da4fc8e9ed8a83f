import type { PoolClient } from '@catalog/kit'
import { v7 as uuidv7 } from 'uuid'
import type { ChangedRow } from './item-changes.ts'
import { REPUBLISH, RETURNING_CHANGE, recordChange, recordDelete, traceHeaders } from './item-changes.ts'
import type { ItemRow } from './item-row.ts'
import { ITEM_COLUMNS } from './item-row.ts'
import type { FieldPath, ItemValues } from './item-rules.ts'
import { FIELD_PATHS } from './item-rules.ts'

/*
 * The SQL of items. Every statement names the tenant, so no code path can reach another tenant's
 * row. Each write is one statement that also appends the price history and the outbox events
 * (item-changes.ts), so a change and its events commit together or not at all, in one round trip.
 * Every statement is named: PostgreSQL parses and plans it once per connection, not per call.
 */

type Db = Pick<PoolClient, 'query'>

export interface NaturalKey {
  tenant: string
  source: string
  externalId: string
}

export async function getLive(db: Db, tenant: string, id: string): Promise<ItemRow | undefined> {
  const { rows } = await db.query<ItemRow>({
    name: 'items.get',
    text: `SELECT ${ITEM_COLUMNS} FROM items WHERE id = $1 AND tenant = $2 AND deleted_at IS NULL`,
    values: [id, tenant],
  })
  return rows[0]
}

export async function getManyLive(db: Db, tenant: string, ids: readonly string[]): Promise<ItemRow[]> {
  const { rows } = await db.query<ItemRow>({
    name: 'items.get-many',
    text: `SELECT ${ITEM_COLUMNS} FROM items WHERE id = ANY($1::uuid[]) AND tenant = $2 AND deleted_at IS NULL`,
    values: [ids, tenant],
  })
  return rows
}

export async function getLiveByKey(db: Db, key: NaturalKey): Promise<ItemRow | undefined> {
  const { rows } = await db.query<ItemRow>({
    name: 'items.get-by-key',
    text: `SELECT ${ITEM_COLUMNS} FROM items WHERE tenant = $1 AND source = $2 AND external_id = $3 AND deleted_at IS NULL`,
    values: [key.tenant, key.source, key.externalId],
  })
  return rows[0]
}

const INSERT_VALUES = `INSERT INTO items AS i (id, tenant, source, external_id, title, description, tags, attributes,
                                 price_amount_minor, price_currency, published_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// A write that changes nothing updates no row: Postgres compares old and new values (jsonb
// semantically), so the version stays and nothing is emitted. A deleted row always differs.
export const VALUES_DIFFER = `(i.title, i.description, i.tags, i.attributes, i.price_amount_minor, i.price_currency, i.published_at,
   i.deleted_at IS NULL)
  IS DISTINCT FROM (excluded.title, excluded.description, excluded.tags, excluded.attributes,
   excluded.price_amount_minor, excluded.price_currency, excluded.published_at, true)`

export const SET_FROM_EXCLUDED = `title = excluded.title, description = excluded.description, tags = excluded.tags,
  attributes = excluded.attributes, price_amount_minor = excluded.price_amount_minor,
  price_currency = excluded.price_currency, published_at = excluded.published_at,
  deleted_at = NULL, version = i.version + 1, updated_at = now()`

const UPSERT = `WITH changed AS (
  ${INSERT_VALUES}
  ON CONFLICT (tenant, source, external_id) DO UPDATE SET ${SET_FROM_EXCLUDED} WHERE ${VALUES_DIFFER}
  RETURNING ${RETURNING_CHANGE}
) ${recordChange(traceHeaders('$12'))}
SELECT * FROM changed`

/**
 * Creates the item of `key`, or writes `v` over it (reviving it when deleted). Returns undefined
 * when the item already holds exactly these values: nothing was written.
 */
export async function upsertItem(db: Db, key: NaturalKey, v: ItemValues, traceparent: string | undefined) {
  const { rows } = await db.query<ChangedRow>({
    name: 'items.upsert',
    text: UPSERT,
    values: [uuidv7(), key.tenant, key.source, key.externalId, ...valueParams(v), traceparent ?? null],
  })
  return rows[0]
}

const INSERT = `WITH changed AS (
  ${INSERT_VALUES}
  ON CONFLICT (tenant, source, external_id) DO NOTHING
  RETURNING ${RETURNING_CHANGE}
) ${recordChange(traceHeaders('$12'))}
SELECT * FROM changed`

/** Inserts a new item; undefined when its natural key is taken (by a live or a deleted item). */
export async function insertItem(db: Db, key: NaturalKey, v: ItemValues, traceparent: string | undefined) {
  const { rows } = await db.query<ChangedRow>({
    name: 'items.insert',
    text: INSERT,
    values: [uuidv7(), key.tenant, key.source, key.externalId, ...valueParams(v), traceparent ?? null],
  })
  return rows[0]
}

const REVIVE = `WITH changed AS (
  UPDATE items AS i
     SET title = $4, description = $5, tags = $6, attributes = $7, price_amount_minor = $8, price_currency = $9,
         published_at = $10, deleted_at = NULL, version = i.version + 1, updated_at = now()
   WHERE i.tenant = $1 AND i.source = $2 AND i.external_id = $3 AND i.deleted_at IS NOT NULL
  RETURNING ${RETURNING_CHANGE}
) ${recordChange(traceHeaders('$11'))}
SELECT * FROM changed`

/** Brings back the deleted item of `key` with the values `v` (its id, a higher version); undefined when none is deleted. */
export async function reviveItem(db: Db, key: NaturalKey, v: ItemValues, traceparent: string | undefined) {
  const { rows } = await db.query<ChangedRow>({
    name: 'items.revive',
    text: REVIVE,
    values: [key.tenant, key.source, key.externalId, ...valueParams(v), traceparent ?? null],
  })
  return rows[0]
}

// The columns of each field path, with their types. A patch sets the columns of its paths; the
// others keep their values, read from the row being updated (so a concurrent patch of other
// fields is never overwritten with a stale copy).
const PATCH_COLUMNS: readonly (readonly [column: string, path: FieldPath, type: string])[] = [
  ['title', 'title', 'text'],
  ['description', 'description', 'text'],
  ['tags', 'tags', 'text[]'],
  ['attributes', 'attributes', 'jsonb'],
  ['price_amount_minor', 'price', 'bigint'],
  ['price_currency', 'price', 'text'],
  ['published_at', 'published_at', 'timestamptz'],
]
// $1 id, $2 tenant, $3 expected version (0: any), $4 traceparent, then one flag per field path
// (is it patched?), then one value per column.
const FLAG = (path: FieldPath) => `$${5 + FIELD_PATHS.indexOf(path)}::boolean`
const patched = PATCH_COLUMNS.map(
  ([column, path, type], i) => `CASE WHEN ${FLAG(path)} THEN $${5 + FIELD_PATHS.length + i}::${type} ELSE i.${column} END`,
)

const UPDATE = `WITH changed AS (
  UPDATE items AS i
     SET ${PATCH_COLUMNS.map(([column], i) => `${column} = ${patched[i]}`).join(', ')},
         version = i.version + 1, updated_at = now()
   WHERE i.id = $1 AND i.tenant = $2 AND i.deleted_at IS NULL AND ($3::bigint = 0 OR i.version = $3::bigint)
     AND (${PATCH_COLUMNS.map(([column]) => `i.${column}`).join(', ')}) IS DISTINCT FROM (${patched.join(', ')})
  RETURNING ${RETURNING_CHANGE}
) ${recordChange(traceHeaders('$4'))}
SELECT * FROM changed`

/**
 * Writes the fields of `patch` over the live item `id`, when it is at version `expected` ('0':
 * any). Undefined when nothing was written: no such live item, another version, or no change.
 */
export async function updateItem(
  db: Db,
  tenant: string,
  id: string,
  expected: string,
  patch: Partial<ItemValues>,
  traceparent: string | undefined,
) {
  const flags = FIELD_PATHS.map((path) => path in patch)
  const full = { title: '', description: '', tags: [], attributes: {}, price: null, published_at: null, ...patch }
  const { rows } = await db.query<ChangedRow>({
    name: 'items.update',
    text: UPDATE,
    values: [id, tenant, expected, traceparent ?? null, ...flags, ...valueParams(full)],
  })
  return rows[0]
}

const DELETE = `WITH changed AS (
  UPDATE items AS i SET deleted_at = now(), updated_at = now(), version = i.version + 1
   WHERE i.id = $1 AND i.tenant = $2 AND i.deleted_at IS NULL AND ($3::bigint = 0 OR i.version = $3::bigint)
  RETURNING ${RETURNING_CHANGE}
) ${recordDelete(traceHeaders('$4'))}
SELECT * FROM changed`

/** Soft-deletes the live item `id` at version `expected` ('0': any); undefined when there is none at that version. */
export async function deleteItem(db: Db, tenant: string, id: string, expected: string, traceparent: string | undefined) {
  const { rows } = await db.query<ChangedRow>({
    name: 'items.delete',
    text: DELETE,
    values: [id, tenant, expected, traceparent ?? null],
  })
  return rows[0]
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

/** Republishes a page of the tenant's live items after `afterId`; `last` is the page's last id. */
export async function republishItems(db: Db, tenant: string, afterId: string, limit: number) {
  const { rows } = await db.query<{ published: number; last: string | null }>({
    name: 'items.republish',
    text: REPUBLISH,
    values: [tenant, afterId, limit],
  })
  return rows[0] ?? { published: 0, last: null }
}
