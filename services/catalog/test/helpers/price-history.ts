import type { Pool } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { fromTimestamp, toTimestamp } from '@catalog/proto'
import { writePriceHistory } from '../../src/prices/price-partitions.ts'
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

/** Price history at chosen instants, written as the write path writes it (src/prices/price-partitions.ts). */
export const writeHistory = (pool: Pool, tenant: string, itemId: string, changes: Change[], firstVersion = 2) =>
  writePriceHistory(pool, tenant, itemId, changes, firstVersion)

export const ts = (iso: string) => toTimestamp(new Date(iso))
export const iso = (t: catalog.PricePoint__Output['changed_at'] | undefined) => (t ? fromTimestamp(t).toISOString() : '')
