import type { PoolClient } from '@catalog/kit'
import type { Interval } from './price-window.ts'

/*
 * An item's prices over a window as buckets, computed in one statement from
 * price_history_item_time: one backward probe for the price in effect when the window opens, one
 * range scan for the changes inside it. Nothing before the window is read beyond that one row.
 *
 * A price is in effect from its change until the next one, so the history is a step function cut
 * into segments; a segment belongs to every bucket it overlaps (and to the one it starts in).
 * Segments without a price (the price was removed) belong to no series; a change of currency
 * starts a new series, so no bucket ever mixes currencies. Buckets are UTC days, ISO weeks (from
 * Monday) or months, built as timestamps without time zone so no session setting moves them.
 */
const SUMMARY = `WITH changes AS (
    (SELECT changed_at, item_version, amount_minor, currency FROM price_history
      WHERE item_id = $1 AND tenant = $2 AND changed_at < $3::timestamptz
      ORDER BY changed_at DESC, item_version DESC LIMIT 1)
    UNION ALL
    (SELECT changed_at, item_version, amount_minor, currency FROM price_history
      WHERE item_id = $1 AND tenant = $2 AND changed_at >= $3::timestamptz AND changed_at < $4::timestamptz)
  ), segments AS (
    SELECT greatest(changed_at, $3::timestamptz) AS s_start,
           coalesce(lead(changed_at) OVER w, $4::timestamptz) AS s_end,
           changed_at >= $3::timestamptz AS counted, item_version, amount_minor, currency
      FROM changes WINDOW w AS (ORDER BY changed_at, item_version)
  ), priced AS (
    SELECT s.*, sum((currency IS DISTINCT FROM previous)::int) OVER (ORDER BY s_start, item_version) AS series
      FROM (SELECT segments.*, lag(currency) OVER (ORDER BY s_start, item_version) AS previous
              FROM segments WHERE amount_minor IS NOT NULL) s
  ), buckets AS (
    SELECT b AT TIME ZONE 'UTC' AS label,
           greatest(b AT TIME ZONE 'UTC', $3::timestamptz) AS b_start,
           least((b + $6::interval) AT TIME ZONE 'UTC', $4::timestamptz) AS b_end
      FROM generate_series(date_trunc($5, $3::timestamptz AT TIME ZONE 'UTC'),
                           ($4::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond', $6::interval) AS b
  )
  SELECT p.series::int AS series, p.currency, k.label,
         (array_agg(p.amount_minor ORDER BY p.s_start, p.item_version))[1]::text AS open,
         (array_agg(p.amount_minor ORDER BY p.s_start DESC, p.item_version DESC))[1]::text AS close,
         min(p.amount_minor)::text AS min, max(p.amount_minor)::text AS max,
         (count(*) FILTER (WHERE p.counted AND p.s_start >= k.b_start))::int AS changes
    FROM buckets k
    JOIN priced p ON p.s_start < k.b_end AND (p.s_end > k.b_start OR p.s_start >= k.b_start)
   GROUP BY p.series, p.currency, k.label
   ORDER BY p.series, k.label`

const STEP: Record<Interval, string> = { day: '1 day', week: '1 week', month: '1 month' }

export interface BucketRow {
  series: number
  currency: string
  label: Date
  open: string
  close: string
  min: string
  max: string
  changes: number
}

export interface Series {
  currency: string
  min: string
  max: string
  buckets: BucketRow[]
}

/** The window's buckets, grouped by series, oldest first. */
export async function summarizePrices(
  db: Pick<PoolClient, 'query'>,
  tenant: string,
  itemId: string,
  from: Date,
  to: Date,
  interval: Interval,
): Promise<Series[]> {
  const { rows } = await db.query<BucketRow>({
    name: 'prices.summary',
    text: SUMMARY,
    values: [itemId, tenant, from.toISOString(), to.toISOString(), interval, STEP[interval]],
  })
  const series: Series[] = []
  let current: (Series & { n: number }) | undefined
  for (const row of rows) {
    if (current?.n !== row.series) {
      current = { n: row.series, currency: row.currency, min: row.min, max: row.max, buckets: [] }
      series.push(current)
    }
    if (BigInt(row.min) < BigInt(current.min)) current.min = row.min
    if (BigInt(row.max) > BigInt(current.max)) current.max = row.max
    current.buckets.push(row)
  }
  return series.map(({ currency, min, max, buckets }) => ({ currency, min, max, buckets }))
}
