import type { catalog } from '@catalog/proto'
import type { Static } from 'typebox'
import { instantToProto, moneyToJson, timestampToJson } from './item-mapping.ts'
import type {
  PagePriceChanges,
  PagePrices,
  PriceChangesQuery,
  PriceHistoryQuery,
  PriceSummary,
  PriceSummaryQuery,
} from './prices.ts'

/*
 * Price history between REST and the catalog's messages, both ways, in one place: the routes only
 * call the catalog with what these make and answer what these return.
 */

const ORDERS = { desc: 'PRICE_ORDER_NEWEST_FIRST', asc: 'PRICE_ORDER_OLDEST_FIRST' } as const
const INTERVALS = { day: 'PRICE_INTERVAL_DAY', week: 'PRICE_INTERVAL_WEEK', month: 'PRICE_INTERVAL_MONTH' } as const
const DIRECTIONS = { down: 'PRICE_DIRECTION_DOWN', up: 'PRICE_DIRECTION_UP' } as const

export function historyRequest(itemId: string, query: Static<typeof PriceHistoryQuery>): catalog.ListPriceHistoryRequest {
  const { limit = 50, cursor = '', from, to, order } = query
  return {
    item_id: itemId,
    page: { size: limit, cursor },
    from: instantToProto(from),
    to: instantToProto(to),
    order: order ? ORDERS[order] : 'PRICE_ORDER_UNSPECIFIED',
  }
}

export function historyToJson(res: catalog.ListPriceHistoryResponse__Output): Static<typeof PagePrices> {
  return {
    items: res.prices.map((p) => ({
      version: Number(p.item_version),
      price: moneyToJson(p.price),
      changed_at: timestampToJson(p.changed_at),
    })),
    next_cursor: res.page?.next_cursor || null,
  }
}

export function summaryRequest(itemId: string, query: Static<typeof PriceSummaryQuery>): catalog.SummarizePriceHistoryRequest {
  const { from, to, interval = 'day' } = query
  return { item_id: itemId, from: instantToProto(from), to: instantToProto(to), interval: INTERVALS[interval] }
}

export function summaryToJson(
  res: catalog.SummarizePriceHistoryResponse__Output,
  query: Static<typeof PriceSummaryQuery>,
): Static<typeof PriceSummary> {
  return {
    item_id: res.item_id,
    from: timestampToJson(res.from),
    to: timestampToJson(res.to),
    interval: query.interval ?? 'day',
    current_price: moneyToJson(res.current_price),
    series: res.series.map((s) => ({
      currency: s.currency,
      min: Number(s.min_amount_minor),
      max: Number(s.max_amount_minor),
      buckets: s.buckets.map((b) => ({
        start: timestampToJson(b.start),
        open: Number(b.open_amount_minor),
        close: Number(b.close_amount_minor),
        min: Number(b.min_amount_minor),
        max: Number(b.max_amount_minor),
        changes: b.changes,
      })),
    })),
  }
}

export function changesRequest(query: Static<typeof PriceChangesQuery>): catalog.ListPriceChangesRequest {
  const { since, until, direction, min_change_percent = 0, currency = '', limit = 50, cursor = '' } = query
  return {
    since: instantToProto(since),
    until: instantToProto(until),
    direction: direction ? DIRECTIONS[direction] : 'PRICE_DIRECTION_UNSPECIFIED',
    min_change_percent,
    currency,
    page: { size: limit, cursor },
  }
}

export function changesToJson(res: catalog.ListPriceChangesResponse__Output): Static<typeof PagePriceChanges> {
  return {
    items: res.changes.map((c) => ({
      item_id: c.item_id,
      title: c.title,
      version: Number(c.item_version),
      changed_at: timestampToJson(c.changed_at),
      old_price: moneyToJson(c.old_price),
      new_price: moneyToJson(c.new_price),
      change_percent: c.change_percent ?? null,
    })),
    next_cursor: res.page?.next_cursor || null,
  }
}
