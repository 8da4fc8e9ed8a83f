import type { PoolClient } from '@catalog/kit'

export interface PriceRow {
  item_id: string
  item_version: string
  amount_minor: string | null
  currency: string | null
  changed_at: Date
}

const PRICES = `SELECT item_id, item_version, amount_minor, currency, changed_at
  FROM price_history WHERE item_id = $1 AND tenant = $2`

/** One page of an item's prices, newest first, after the version `before` when given. */
export async function listPrices(
  db: Pick<PoolClient, 'query'>,
  tenant: string,
  itemId: string,
  before: string | undefined,
  limit: number,
): Promise<PriceRow[]> {
  // Two statements, not one with `$3 IS NULL OR …`: a prepared statement's generic plan could not
  // fold that test away and would walk the item's history from its newest row to the cursor.
  const { rows } = await db.query<PriceRow>(
    before === undefined
      ? { name: 'prices.first-page', text: `${PRICES} ORDER BY item_version DESC LIMIT $3`, values: [itemId, tenant, limit] }
      : {
          name: 'prices.next-page',
          text: `${PRICES} AND item_version < $4::bigint ORDER BY item_version DESC LIMIT $3`,
          values: [itemId, tenant, limit, before],
        },
  )
  return rows
}
