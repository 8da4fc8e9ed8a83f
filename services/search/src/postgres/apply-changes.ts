import type { Pool } from '@catalog/kit'
import { withTransaction } from '@catalog/kit'
import type { ItemChanges, RefusedChange } from '../engine.ts'

/*
 * The PostgreSQL engine's writes: one row per item (a tombstone for a deleted one, its version
 * kept, so an older event arriving late cannot revive it), newer versions only, never across
 * tenants.
 */

// One statement per batch for each kind: the latest event per item wins within the batch, and
// the version guard keeps an older event from overwriting a newer row across batches. An event
// the catalog republished ($2, its ids) applies at the version the row holds too: it carries the
// same item, and rebuilds what an older release of this index did not keep. Each
// returns the events it refused for their tenant (the final SELECT sees the rows as they were).
const UPSERT_MANY = `
  WITH r AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant text, version bigint, source text, external_id text,
           title text, description text, tags jsonb, attributes jsonb, price_amount_minor bigint, price_currency text,
           published_at timestamptz)
  ), applied AS (
    INSERT INTO search_items AS s (id, tenant, version, deleted, source, external_id, title, description, tags, attributes,
                                   price_amount_minor, price_currency, published_at)
    SELECT id, tenant, version, false, source, external_id, title, description, ARRAY(SELECT jsonb_array_elements_text(tags)),
           attributes, price_amount_minor, price_currency, published_at
      FROM r
    ON CONFLICT (id) DO UPDATE SET
      version = excluded.version, deleted = false, source = excluded.source, external_id = excluded.external_id,
      title = excluded.title, description = excluded.description, tags = excluded.tags, attributes = excluded.attributes,
      price_amount_minor = excluded.price_amount_minor, price_currency = excluded.price_currency,
      published_at = excluded.published_at, indexed_at = now()
    WHERE (s.version < excluded.version OR (s.version = excluded.version AND excluded.id = ANY($2::uuid[])))
      AND s.tenant = excluded.tenant
  )
  SELECT r.id, r.tenant AS claimed, s.tenant AS indexed FROM r JOIN search_items s ON s.id = r.id AND s.tenant <> r.tenant`

const TOMBSTONE_MANY = `
  WITH r AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS r(id, tenant, version)),
  applied AS (
    INSERT INTO search_items AS s (id, tenant, version, deleted)
    SELECT id, tenant, version, true FROM r
    ON CONFLICT (id) DO UPDATE SET
      version = excluded.version, deleted = true, title = '', description = '', tags = '{}', attributes = '{}',
      price_amount_minor = NULL, price_currency = NULL, published_at = NULL, indexed_at = now()
    WHERE s.version < excluded.version AND s.tenant = excluded.tenant
  )
  SELECT r.id, r.tenant AS claimed, s.tenant AS indexed FROM r JOIN search_items s ON s.id = r.id AND s.tenant <> r.tenant`

/** Applies one batch in one transaction: all of it, or none of it. */
export async function applyChanges(pool: Pool, changes: ItemChanges): Promise<RefusedChange[]> {
  const { upserts, tombstones } = changes
  const upsert = {
    name: 'index.upsert-many',
    text: UPSERT_MANY,
    values: [JSON.stringify(upserts), [...changes.republished]],
  }
  const tomb = {
    name: 'index.tombstone-many',
    text: TOMBSTONE_MANY,
    values: [tombstones.map((t) => t.id), tombstones.map((t) => t.tenant), tombstones.map((t) => t.version)],
  }
  // One statement is its own transaction; both need one around them.
  if (upserts.length === 0 && tombstones.length === 0) return []
  if (tombstones.length === 0) return (await pool.query<RefusedChange>(upsert)).rows
  if (upserts.length === 0) return (await pool.query<RefusedChange>(tomb)).rows
  return withTransaction(pool, async (c) => [
    ...(await c.query<RefusedChange>(upsert)).rows,
    ...(await c.query<RefusedChange>(tomb)).rows,
  ])
}
