import type { Pool } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { fromTimestamp, toTimestamp } from '@catalog/proto'
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
 * versions from `firstVersion` up): the write path stamps changes with now(), a test needs the past.
 */
export async function writeHistory(pool: Pool, tenant: string, itemId: string, changes: Change[], firstVersion = 2) {
  for (const [i, [at, amount, currency = 'EUR']] of changes.entries()) {
    await pool.query(
      `INSERT INTO price_history (item_id, item_version, tenant, amount_minor, currency, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [itemId, firstVersion + i, tenant, amount, amount === null ? null : currency, at],
    )
  }
}

export const ts = (iso: string) => toTimestamp(new Date(iso))
export const iso = (t: catalog.PricePoint__Output['changed_at'] | undefined) => (t ? fromTimestamp(t).toISOString() : '')
