import type { PoolClient } from '@catalog/kit'
import { FROM_MICROS, MICROS } from './price-store.ts'
import type { FeedKey } from './price-window.ts'

/*
 * The tenant's price changes in a window, newest first: a backward range scan of
 * price_history_tenant_time from the cursor (or the window's end) that stops once a page is full,
 * in the window's months only (the table is partitioned by month). Each change carries the price
 * it replaced (written with it); the item, for its title and to leave deleted items out, is one
 * probe of its own. Filters on direction, size and currency run on those rows, so a selective filter reads
 * further into the window, never past it.
 *
 * A change is stamped with its statement's start and becomes visible at commit, a few
 * milliseconds later: a page read in between may miss a change older than its own newest one.
 */
const WINDOW = `p.tenant = $1 AND p.changed_at >= $2::timestamptz AND p.changed_at < $3::timestamptz
     AND (p.changed_at, p.item_id, p.item_version) < (${FROM_MICROS('$4')}, $5::uuid, $6::bigint)`
const ORDER = 'p.changed_at DESC, p.item_id DESC, p.item_version DESC'

/*
 * The window's changes in order, at most $11 of them (the chunk), and of those the ones the filters
 * keep. The chunk has no filter, so the planner walks the time index backwards and stops at the
 * page: with the filters beside it, it estimated a few matches (their columns are correlated),
 * sorted the whole window instead, and at ten million rows a page took 640 ms.
 */
const FEED = `SELECT p.item_id, p.item_version, p.changed_at, ${MICROS('p.changed_at')} AS micros,
         p.amount_minor AS new_amount, p.currency AS new_currency,
         p.old_amount_minor AS old_amount, p.old_currency, i.title,
         CASE WHEN p.old_currency = p.currency AND p.old_amount_minor > 0
              THEN round((p.amount_minor - p.old_amount_minor) * 100.0 / p.old_amount_minor, 2)::float8 END AS percent
    FROM (SELECT * FROM price_history p WHERE ${WINDOW} ORDER BY ${ORDER} LIMIT $11) p
    JOIN items i ON i.id = p.item_id AND i.tenant = $1 AND i.deleted_at IS NULL
   WHERE ($7::int = 0 OR (p.old_currency = p.currency
          AND CASE $7::int WHEN 1 THEN p.amount_minor < p.old_amount_minor ELSE p.amount_minor > p.old_amount_minor END))
     AND ($8::numeric = 0 OR (p.old_currency = p.currency AND p.old_amount_minor > 0
          AND abs(p.amount_minor - p.old_amount_minor) * 100 >= $8::numeric * p.old_amount_minor))
     AND ($9::text IS NULL OR p.currency = $9::text)
   ORDER BY ${ORDER}
   LIMIT $10`

/** The last position of a full chunk: where the next page resumes when a chunk filled no page. */
const CHUNK_END = `SELECT ${MICROS('p.changed_at')} AS micros, p.item_id, p.item_version
    FROM price_history p WHERE ${WINDOW} ORDER BY ${ORDER} OFFSET $7 - 1 LIMIT 1`

/** Changes of the window one page reads at most, whatever its filters. */
export const FEED_CHUNK = 10_000

export interface ChangeRow {
  item_id: string
  item_version: string
  changed_at: Date
  micros: string
  new_amount: string | null
  new_currency: string | null
  old_amount: string | null
  old_currency: string | null
  title: string
  percent: number | null
}

export interface FeedQuery {
  since: Date
  until: Date
  /** 0 either way, 1 drops, 2 rises. */
  direction: 0 | 1 | 2
  minPercent: number
  currency: string | null
  /** Continue after this position; unset: from the window's end. */
  after: FeedKey | undefined
}

/** The largest position: every change of the window sorts before it. */
const END = { itemId: 'ffffffff-ffff-ffff-ffff-ffffffffffff', version: '9223372036854775807' }

/**
 * A page of the feed: the changes the filters keep among the next `chunk` of the window (in
 * order from the cursor), up to `limit`; and, when the chunk was read whole without filling the
 * page, where the next page resumes (a short page, even an empty one, that continues).
 */
export async function listChanges(
  db: Pick<PoolClient, 'query'>,
  tenant: string,
  q: FeedQuery,
  limit: number,
  chunk = FEED_CHUNK,
): Promise<{ rows: ChangeRow[]; resumeAt: FeedKey | undefined }> {
  // The first page starts at the window's end as a position, so every page runs one plan.
  const untilMicros = String(BigInt(q.until.getTime()) * 1000n)
  const after = q.after ?? { micros: untilMicros, ...END }
  const window = [tenant, q.since.toISOString(), q.until.toISOString(), after.micros, after.itemId, after.version]
  const { rows } = await db.query<ChangeRow>({
    name: 'prices.changes',
    text: FEED,
    values: [...window, q.direction, q.minPercent, q.currency, limit, chunk],
  })
  if (rows.length >= limit) return { rows, resumeAt: undefined }
  const { rows: end } = await db.query<{ micros: string; item_id: string; item_version: string }>({
    name: 'prices.changes.chunk-end',
    text: CHUNK_END,
    values: [...window, chunk],
  })
  const edge = end[0]
  return { rows, resumeAt: edge ? { micros: edge.micros, itemId: edge.item_id, version: edge.item_version } : undefined }
}
