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

/** A price row with its position in time order: the change's instant in microseconds. */
export interface TimedPriceRow extends PriceRow {
  micros: string
}

/** Microseconds since the epoch, exact (timestamptz keeps microseconds; a JS Date only milliseconds). */
export const MICROS = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`
/** The instant of a `$n` parameter holding microseconds since the epoch. */
export const FROM_MICROS = (param: string) => `('epoch'::timestamptz + (${param}::bigint || ' microseconds')::interval)`

const TIMED = `SELECT item_id, item_version, amount_minor, currency, changed_at, ${MICROS('changed_at')} AS micros
  FROM price_history WHERE item_id = $1 AND tenant = $2 AND changed_at >= $3::timestamptz AND changed_at < $4::timestamptz`

export interface PriceWindow {
  /** ISO instants, or '-infinity' and 'infinity' for an open side. */
  from: string
  to: string
  order: 'asc' | 'desc'
  /** Continue after this position (in the page's order). */
  after: { micros: string; version: string } | undefined
}

/**
 * One page of an item's prices within [from, to), by change time then version: a range scan of
 * price_history_item_time that starts at the window's edge or the cursor and stops after `limit`.
 * Undefined when the tenant holds no live item of that id: the item's row and its window are one
 * statement (a separate look-up of the item was a second round trip on every page).
 */
export async function listPricesInWindow(
  db: Pick<PoolClient, 'query'>,
  tenant: string,
  itemId: string,
  w: PriceWindow,
  limit: number,
): Promise<TimedPriceRow[] | undefined> {
  const dir = w.order.toUpperCase()
  const order = `ORDER BY changed_at ${dir}, item_version ${dir} LIMIT $5`
  const ofLiveItem = (window: string) =>
    `SELECT p.* FROM items i LEFT JOIN LATERAL (${window}) p ON true
      WHERE i.id = $1 AND i.tenant = $2 AND i.deleted_at IS NULL
      ORDER BY p.changed_at ${dir}, p.item_version ${dir}`
  const { rows } = await db.query<TimedPriceRow | { item_id: null }>(
    w.after === undefined
      ? { name: `prices.window-${w.order}`, text: ofLiveItem(`${TIMED} ${order}`), values: [itemId, tenant, w.from, w.to, limit] }
      : {
          name: `prices.window-${w.order}-after`,
          text: ofLiveItem(
            `${TIMED} AND (changed_at, item_version) ${w.order === 'desc' ? '<' : '>'} (${FROM_MICROS('$6')}, $7::bigint) ${order}`,
          ),
          values: [itemId, tenant, w.from, w.to, limit, w.after.micros, w.after.version],
        },
  )
  if (rows.length === 0) return undefined
  return rows.filter((r): r is TimedPriceRow => r.item_id !== null)
}
