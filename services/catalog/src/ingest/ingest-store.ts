import type { PoolClient } from '@catalog/kit'
import { v7 as uuidv7 } from 'uuid'
import { changeEvents, priceMoved } from '../items/item-events.ts'
import type { ItemRow } from '../items/item-row.ts'
import { ITEM_COLUMNS } from '../items/item-row.ts'
import type { ItemValues } from '../items/item-rules.ts'
import { appendToOutbox } from '../outbox/outbox-writer.ts'

export interface KeyedValues {
  tenant: string
  source: string
  externalId: string
  values: ItemValues
  /** The trace of the ingestion that sent the record. */
  traceparent?: string
}

interface UpsertedRow extends ItemRow {
  old_id: string | null
  old_amount: string | null
  old_currency: string | null
}

const RETURNING = ITEM_COLUMNS.split(', ')
  .map((c) => `new.${c}`)
  .join(', ')

/**
 * Upserts many items by natural key in one statement, inside the caller's transaction, with the
 * same outcome as one UpsertItem each: a record that changes nothing updates no row (no version,
 * no event), a changed or new one gets its price history and outbox events. Keys must be unique
 * within the call (a statement cannot touch a row twice). Returns how many rows changed.
 */
export async function upsertMany(c: PoolClient, records: readonly KeyedValues[]): Promise<number> {
  if (records.length === 0) return 0
  const batch = records.map((r) => ({
    id: uuidv7(),
    tenant: r.tenant,
    source: r.source,
    external_id: r.externalId,
    title: r.values.title,
    description: r.values.description,
    tags: r.values.tags,
    attributes: r.values.attributes,
    price_amount_minor: r.values.price?.amount_minor ?? null,
    price_currency: r.values.price?.currency ?? null,
    published_at: r.values.published_at?.toISOString() ?? null,
  }))
  // Postgres 18 returns the row before and after each change (old.* is null for an insert).
  const { rows } = await c.query<UpsertedRow>(
    `INSERT INTO items AS i (id, tenant, source, external_id, title, description, tags, attributes,
                             price_amount_minor, price_currency, published_at)
     SELECT id, tenant, source, external_id, title, description,
            ARRAY(SELECT jsonb_array_elements_text(tags)), attributes, price_amount_minor, price_currency, published_at
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant text, source text, external_id text, title text,
            description text, tags jsonb, attributes jsonb, price_amount_minor bigint, price_currency text,
            published_at timestamptz)
     ON CONFLICT (tenant, source, external_id) DO UPDATE
        SET title = excluded.title, description = excluded.description, tags = excluded.tags,
            attributes = excluded.attributes, price_amount_minor = excluded.price_amount_minor,
            price_currency = excluded.price_currency, published_at = excluded.published_at,
            deleted_at = NULL, version = i.version + 1, updated_at = now()
      WHERE (i.title, i.description, i.tags, i.attributes, i.price_amount_minor, i.price_currency, i.published_at,
             i.deleted_at IS NULL)
            IS DISTINCT FROM (excluded.title, excluded.description, excluded.tags, excluded.attributes,
             excluded.price_amount_minor, excluded.price_currency, excluded.published_at, true)
     RETURNING old.id AS old_id, old.price_amount_minor AS old_amount, old.price_currency AS old_currency, ${RETURNING}`,
    [JSON.stringify(batch)],
  )
  const traces = new Map(records.map((r) => [`${r.tenant}\u0000${r.source}\u0000${r.externalId}`, r.traceparent]))
  const moved: ItemRow[] = []
  const events = rows.flatMap((row) => {
    const traceparent = traces.get(`${row.tenant}\u0000${row.source}\u0000${row.external_id}`)
    const before =
      row.old_id === null ? undefined : { ...row, price_amount_minor: row.old_amount, price_currency: row.old_currency }
    if (priceMoved(before, row)) moved.push(row)
    return changeEvents(before, row).map((e) => (traceparent ? { ...e, traceparent } : e))
  })
  if (moved.length > 0) {
    await c.query(
      `INSERT INTO price_history (item_id, item_version, tenant, amount_minor, currency, changed_at)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[])`,
      [
        moved.map((r) => r.id),
        moved.map((r) => r.version),
        moved.map((r) => r.tenant),
        moved.map((r) => r.price_amount_minor),
        moved.map((r) => r.price_currency),
        moved.map((r) => r.updated_at),
      ],
    )
  }
  await appendToOutbox(c, events)
  return rows.length
}
