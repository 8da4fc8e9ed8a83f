import type { CallContext, Pool } from '@catalog/kit'
import { decodeCursor, encodeCursor } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { toTimestamp } from '@catalog/proto'
import { invalid, itemNotFound } from '../errors.ts'
import { checkId } from '../items/item-rules.ts'
import { getLive } from '../items/item-store.ts'
import { listChanges } from './price-changes.ts'
import type { PriceRow } from './price-store.ts'
import { listPrices, listPricesInWindow } from './price-store.ts'
import { summarizePrices } from './price-summary.ts'
import type { Interval } from './price-window.ts'
import {
  checkBuckets,
  decodeFeedCursor,
  decodeRangeCursor,
  encodeFeedCursor,
  encodeRangeCursor,
  FEED_WINDOW_MS,
  instant,
  ordered,
} from './price-window.ts'

export const PAGE = { default: 50, max: 500 } as const

const INTERVALS: Record<catalog.PriceInterval__Output, Interval> = {
  PRICE_INTERVAL_UNSPECIFIED: 'day',
  PRICE_INTERVAL_DAY: 'day',
  PRICE_INTERVAL_WEEK: 'week',
  PRICE_INTERVAL_MONTH: 'month',
}

const DIRECTIONS: Record<catalog.PriceDirection__Output, 0 | 1 | 2> = {
  PRICE_DIRECTION_UNSPECIFIED: 0,
  PRICE_DIRECTION_DOWN: 1,
  PRICE_DIRECTION_UP: 2,
}

/** The largest percentage a filter may ask for: a price a thousand times its old one. */
const MAX_PERCENT = 100_000

function pageSize(page: catalog.ListPriceHistoryRequest__Output['page']): number {
  const size = page?.size ?? 0
  if (size < 0) throw invalid([{ field: 'page.size', description: 'must not be negative' }])
  return Math.min(size || PAGE.default, PAGE.max)
}

const money = (amount: string | null, currency: string | null) =>
  amount === null || currency === null ? null : { amount_minor: amount, currency }

const point = (r: PriceRow): catalog.PricePoint => ({
  item_id: r.item_id,
  item_version: r.item_version,
  price: money(r.amount_minor, r.currency),
  changed_at: toTimestamp(r.changed_at),
})

/** Who reads which item's prices, in which window (either end open); an end before its start is a 400. */
function itemWindow(
  req: catalog.ListPriceHistoryRequest__Output | catalog.SummarizePriceHistoryRequest__Output,
  ctx: CallContext,
) {
  const { tenant } = ctx.principal()
  const id = checkId(req.item_id, 'item_id')
  const from = instant(req.from, 'from')
  const to = instant(req.to, 'to')
  ordered(from, to, ['from', 'to'])
  return { tenant, id, from, to }
}

export function priceHandlers(pool: Pool) {
  /** The tenant's live item, or NOT_FOUND: another tenant's id answers exactly as an unknown one. */
  async function liveItem(tenant: string, id: string) {
    const item = await getLive(pool, tenant, id)
    if (!item) throw itemNotFound(id)
    return item
  }

  return {
    async ListPriceHistory(
      req: catalog.ListPriceHistoryRequest__Output,
      ctx: CallContext,
    ): Promise<catalog.ListPriceHistoryResponse> {
      const { tenant, id, from, to } = itemWindow(req, ctx)
      const limit = pageSize(req.page)
      if (!from && !to && req.order === 'PRICE_ORDER_UNSPECIFIED') return byVersion(tenant, id, req.page?.cursor, limit)

      const order = req.order === 'PRICE_ORDER_OLDEST_FIRST' ? 'a' : 'd'
      const after = req.page?.cursor ? decodeRangeCursor(req.page.cursor, id, order) : undefined
      const window = {
        from: from?.toISOString() ?? '-infinity',
        to: to?.toISOString() ?? 'infinity',
        order: order === 'a' ? ('asc' as const) : ('desc' as const),
        after,
      }
      const rows = await listPricesInWindow(pool, tenant, id, window, limit + 1)
      if (!rows) throw itemNotFound(id)
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        prices: page.map(point),
        page: {
          next_cursor:
            rows.length > limit && last ? encodeRangeCursor(id, order, { micros: last.micros, version: last.item_version }) : '',
        },
      }
    },

    async SummarizePriceHistory(
      req: catalog.SummarizePriceHistoryRequest__Output,
      ctx: CallContext,
    ): Promise<catalog.SummarizePriceHistoryResponse> {
      const { tenant, id, from, to: until } = itemWindow(req, ctx)
      if (!from) throw invalid([{ field: 'from', description: 'is required' }])
      // Open-ended: up to now, which a window starting in the future is not after.
      const to = until ?? new Date()
      ordered(from, to, ['from', 'to'])
      const interval = INTERVALS[req.interval]
      checkBuckets(from, to, interval)
      const item = await liveItem(tenant, id)
      const series = await summarizePrices(pool, tenant, id, from, to, interval)
      return {
        item_id: id,
        from: toTimestamp(from),
        to: toTimestamp(to),
        interval: req.interval === 'PRICE_INTERVAL_UNSPECIFIED' ? 'PRICE_INTERVAL_DAY' : req.interval,
        current_price: money(item.price_amount_minor, item.price_currency),
        series: series.map((s) => ({
          currency: s.currency,
          min_amount_minor: s.min,
          max_amount_minor: s.max,
          buckets: s.buckets.map((b) => ({
            start: toTimestamp(b.label),
            open_amount_minor: b.open,
            close_amount_minor: b.close,
            min_amount_minor: b.min,
            max_amount_minor: b.max,
            changes: b.changes,
          })),
        })),
      }
    },

    async ListPriceChanges(
      req: catalog.ListPriceChangesRequest__Output,
      ctx: CallContext,
    ): Promise<catalog.ListPriceChangesResponse> {
      const { tenant } = ctx.principal()
      const limit = pageSize(req.page)
      const until = instant(req.until, 'until') ?? new Date()
      const since = instant(req.since, 'since') ?? new Date(until.getTime() - FEED_WINDOW_MS.default)
      ordered(since, until, ['since', 'until'])
      if (until.getTime() - since.getTime() > FEED_WINDOW_MS.max) {
        throw invalid([{ field: 'since', description: `must be at most ${FEED_WINDOW_MS.max / 86_400_000} days before until` }])
      }
      const minPercent = req.min_change_percent
      if (!Number.isFinite(minPercent) || minPercent < 0 || minPercent > MAX_PERCENT) {
        throw invalid([{ field: 'min_change_percent', description: `must be a number from 0 to ${MAX_PERCENT}` }])
      }
      if (req.currency !== '' && !/^[A-Z]{3}$/.test(req.currency)) {
        throw invalid([{ field: 'currency', description: 'must be an ISO 4217 code in upper case' }])
      }
      const after = req.page?.cursor ? decodeFeedCursor(req.page.cursor) : undefined
      const query = {
        since,
        until,
        direction: DIRECTIONS[req.direction],
        minPercent,
        currency: req.currency || null,
        after,
      }
      const { rows, resumeAt } = await listChanges(pool, tenant, query, limit + 1).catch((err: unknown) => {
        // A selective filter over a busy tenant's window can read past the statement timeout:
        // the client's window to narrow, said as such, never a 500.
        if ((err as { code?: string }).code === '57014')
          throw invalid([
            {
              field: 'since',
              description: 'the window holds more changes than can be filtered in time: narrow since and until',
            },
          ])
        throw err
      })
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        changes: page.map((r) => ({
          item_id: r.item_id,
          title: r.title,
          item_version: r.item_version,
          changed_at: toTimestamp(r.changed_at),
          old_price: money(r.old_amount, r.old_currency),
          new_price: money(r.new_amount, r.new_currency),
          ...(r.percent === null ? {} : { change_percent: r.percent }),
        })),
        page: {
          // A page the filters left short still continues where its chunk of the window ended.
          next_cursor:
            rows.length > limit && last
              ? encodeFeedCursor({ micros: last.micros, itemId: last.item_id, version: last.item_version })
              : resumeAt
                ? encodeFeedCursor(resumeAt)
                : '',
        },
      }
    },
  }

  /** Pages newest first by version, as the history was read before windows (cursors stay valid). */
  async function byVersion(tenant: string, id: string, cursor: string | undefined, limit: number) {
    // The cursor names its item, so a cursor of one item cannot page through another; a windowed
    // page's cursor (it names an order) is not one of these.
    const before = cursor
      ? decodeCursor(cursor, 'page.cursor', (v) => {
          const c = v as { i?: unknown; v?: unknown; o?: unknown }
          return c.i === id && c.o === undefined && typeof c.v === 'string' && /^[1-9][0-9]{0,18}$/.test(c.v) ? c.v : undefined
        })
      : undefined
    await liveItem(tenant, id)
    const rows = await listPrices(pool, tenant, id, before, limit + 1)
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      prices: page.map(point),
      page: { next_cursor: rows.length > limit && last ? encodeCursor({ i: id, v: last.item_version }) : '' },
    }
  }
}
