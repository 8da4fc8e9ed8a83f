import type { PoolClient } from '@catalog/kit'

export interface PriceRow {
  item_id: string
  item_version: string
  amount_minor: string | null
  currency: string | null
  changed_at: Date
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
