import type { PoolClient } from '@catalog/kit'
import type { ItemRow } from '../items/item-row.ts'

export interface PriceRow {
  item_id: string
  item_version: string
  amount_minor: string | null
  currency: string | null
  changed_at: Date
}

/** Appends the item's current price as the price from its current version on. */
export async function recordPrice(c: PoolClient, item: ItemRow): Promise<void> {
  await c.query(
    `INSERT INTO price_history (item_id, item_version, tenant, amount_minor, currency, changed_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [item.id, item.version, item.tenant, item.price_amount_minor, item.price_currency, item.updated_at],
  )
}

/** One page of an item's prices, newest first, after the version `before` when given. */
export async function listPrices(
  db: Pick<PoolClient, 'query'>,
  tenant: string,
  itemId: string,
  before: string | undefined,
  limit: number,
): Promise<PriceRow[]> {
  const { rows } = await db.query<PriceRow>(
    `SELECT item_id, item_version, amount_minor, currency, changed_at
       FROM price_history
      WHERE item_id = $1 AND tenant = $2 AND ($3::bigint IS NULL OR item_version < $3::bigint)
      ORDER BY item_version DESC
      LIMIT $4`,
    [itemId, tenant, before ?? null, limit],
  )
  return rows
}
