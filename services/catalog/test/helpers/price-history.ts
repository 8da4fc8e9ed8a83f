import type { Pool } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { fromTimestamp, toTimestamp } from '@catalog/proto'
import { ensurePricePartitions } from '../../src/prices/price-partitions.ts'
import type { RunningCatalog } from './catalog.ts'
import { fields } from './catalog.ts'

/** [instant, amount in minor units or null for a removed price, currency] */
export type Change = [string, number | null, string?]

/** A live item of `tenant` without a price (so no history of its own), through the API. */
export async function priceless(cat: RunningCatalog, tenant: string, externalId: string, title = externalId) {
  const { item } = await cat.client.call(
    'CreateItem',
    { source: 'shop', external_id: externalId, fields: fields({ title, price: null }) },
    cat.as(tenant),
  )
  return item?.id ?? ''
}

/**
 * Price history at chosen instants, written as the write path writes it (one row per change,
 * versions from `firstVersion` up, each with the price it replaced: the item's previous row): the
 * write path stamps changes with now(), a test needs the past, and the past's months.
 */
export async function writeHistory(pool: Pool, tenant: string, itemId: string, changes: Change[], firstVersion = 2) {
  for (const [i, [at, amount, currency = 'EUR']] of changes.entries()) {
    await ensurePricePartitions(pool, new Date(at), new Date(at))
    await pool.query(
      `INSERT INTO price_history (item_id, item_version, tenant, amount_minor, currency, changed_at, old_amount_minor, old_currency)
       SELECT $1, $2, $3, $4, $5, $6, o.amount_minor, o.currency
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (SELECT amount_minor, currency FROM price_history
                             WHERE item_id = $1 AND item_version < $2 ORDER BY item_version DESC LIMIT 1) o ON true`,
      [itemId, firstVersion + i, tenant, amount, amount === null ? null : currency, at],
    )
  }
}

export const ts = (iso: string) => toTimestamp(new Date(iso))
export const iso = (t: catalog.PricePoint__Output['changed_at'] | undefined) => (t ? fromTimestamp(t).toISOString() : '')
