import type { PoolClient } from '@catalog/kit'
import { v7 as uuidv7 } from 'uuid'
import { RETURNING_CHANGE, recordChange, traceHeaders } from '../items/item-changes.ts'
import type { ItemValues } from '../items/item-rules.ts'
import { SET_FROM_EXCLUDED, VALUES_DIFFER } from '../items/item-store.ts'

export interface KeyedValues {
  tenant: string
  source: string
  externalId: string
  values: ItemValues
  /** The trace of the ingestion that sent the record. */
  traceparent?: string
}

// One statement writes the items, their price history and their events (item-changes.ts); each
// event carries the trace of the ingestion that sent its record.
const UPSERT_MANY = `WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant text, source text, external_id text, title text,
         description text, tags jsonb, attributes jsonb, price_amount_minor bigint, price_currency text,
         published_at timestamptz, traceparent text)
), changed AS (
  INSERT INTO items AS i (id, tenant, source, external_id, title, description, tags, attributes,
                          price_amount_minor, price_currency, published_at)
  SELECT id, tenant, source, external_id, title, description,
         ARRAY(SELECT jsonb_array_elements_text(tags)), attributes, price_amount_minor, price_currency, published_at
    FROM input
  ON CONFLICT (tenant, source, external_id) DO UPDATE SET ${SET_FROM_EXCLUDED} WHERE ${VALUES_DIFFER}
  RETURNING ${RETURNING_CHANGE}
) ${recordChange(
  traceHeaders('r.traceparent'),
  'JOIN input r ON (r.tenant, r.source, r.external_id) = (c.tenant, c.source, c.external_id)',
)}
SELECT count(*)::int AS n FROM changed`

/**
 * Upserts many items by natural key in one statement (its own transaction, or part of the
 * caller's), with the same outcome as one UpsertItem each: a record that changes nothing updates
 * no row (no version, no event), a changed or new one gets its price history and outbox events.
 * Keys must be unique within the call (a statement cannot touch a row twice). Returns how many
 * rows changed.
 */
export async function upsertMany(c: Pick<PoolClient, 'query'>, records: readonly KeyedValues[]): Promise<number> {
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
    traceparent: r.traceparent ?? null,
  }))
  const { rows } = await c.query<{ n: number }>({ name: 'items.upsert-many', text: UPSERT_MANY, values: [JSON.stringify(batch)] })
  return rows[0]?.n ?? 0
}
