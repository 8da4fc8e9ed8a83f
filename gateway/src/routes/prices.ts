import type { catalog } from '@catalog/proto'
import { fromTimestamp, toTimestamp } from '@catalog/proto'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { ItemParams, Problem } from '../schemas/item.ts'
import {
  PagePriceChanges,
  PagePrices,
  PriceChangesQuery,
  PriceHistoryQuery,
  PriceSummary,
  PriceSummaryQuery,
} from '../schemas/prices.ts'
import type { Backend } from '../upstream/backend.ts'
import { callOptions } from '../upstream/call-options.ts'

const PROBLEMS = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem }

const ORDERS = { desc: 'PRICE_ORDER_NEWEST_FIRST', asc: 'PRICE_ORDER_OLDEST_FIRST' } as const
const INTERVALS = { day: 'PRICE_INTERVAL_DAY', week: 'PRICE_INTERVAL_WEEK', month: 'PRICE_INTERVAL_MONTH' } as const
const DIRECTIONS = { down: 'PRICE_DIRECTION_DOWN', up: 'PRICE_DIRECTION_UP' } as const

/** A query instant (a date is the start of that UTC day, as `new Date` reads it) for the catalog. */
const instant = (value: string | undefined) => (value === undefined ? null : toTimestamp(new Date(value)))
const iso = (ts: catalog.PricePoint__Output['changed_at']) => (ts ? fromTimestamp(ts).toISOString() : '')
const money = (m: catalog.PricePoint__Output['price']) =>
  m ? { amount_minor: Number(m.amount_minor), currency: m.currency } : null

export function priceRoutes(app: FastifyInstance, catalogBackend: Backend<catalog.CatalogServiceDefinition>): void {
  app.get<{ Params: { id: string }; Querystring: Static<typeof PriceHistoryQuery> }>(
    '/v1/items/:id/prices',
    {
      config: { scope: 'items:read' },
      schema: {
        tags: ['items'],
        summary: "An item's price history, newest first, or a window of it in either order",
        params: ItemParams,
        querystring: PriceHistoryQuery,
        response: { 200: PagePrices, ...PROBLEMS },
      },
    },
    async (request) => {
      const { limit = 50, cursor = '', from, to, order } = request.query
      const res = await catalogBackend.call(
        'ListPriceHistory',
        {
          item_id: request.params.id,
          page: { size: limit, cursor },
          from: instant(from),
          to: instant(to),
          order: order ? ORDERS[order] : 'PRICE_ORDER_UNSPECIFIED',
        },
        callOptions(request, true),
      )
      return {
        items: res.prices.map((p) => ({ version: Number(p.item_version), price: money(p.price), changed_at: iso(p.changed_at) })),
        next_cursor: res.page?.next_cursor || null,
      }
    },
  )

  app.get<{ Params: { id: string }; Querystring: Static<typeof PriceSummaryQuery> }>(
    '/v1/items/:id/prices/summary',
    {
      config: { scope: 'items:read' },
      schema: {
        tags: ['items'],
        summary: "An item's prices in a window, in day, week or month buckets per currency",
        params: ItemParams,
        querystring: PriceSummaryQuery,
        response: { 200: PriceSummary, ...PROBLEMS },
      },
    },
    async (request) => {
      const { from, to, interval = 'day' } = request.query
      const res = await catalogBackend.call(
        'SummarizePriceHistory',
        { item_id: request.params.id, from: instant(from), to: instant(to), interval: INTERVALS[interval] },
        callOptions(request, true),
      )
      return {
        item_id: res.item_id,
        from: iso(res.from),
        to: iso(res.to),
        interval,
        current_price: money(res.current_price),
        series: res.series.map((s) => ({
          currency: s.currency,
          min: Number(s.min_amount_minor),
          max: Number(s.max_amount_minor),
          buckets: s.buckets.map((b) => ({
            start: iso(b.start),
            open: Number(b.open_amount_minor),
            close: Number(b.close_amount_minor),
            min: Number(b.min_amount_minor),
            max: Number(b.max_amount_minor),
            changes: b.changes,
          })),
        })),
      }
    },
  )

  app.get<{ Querystring: Static<typeof PriceChangesQuery> }>(
    '/v1/prices/changes',
    {
      config: { scope: 'items:read' },
      schema: {
        tags: ['items'],
        summary: "The tenant's price changes in a window, newest first, with the price before each",
        querystring: PriceChangesQuery,
        response: { 200: PagePriceChanges, ...PROBLEMS },
      },
    },
    async (request) => {
      const { since, until, direction, min_change_percent = 0, currency = '', limit = 50, cursor = '' } = request.query
      const res = await catalogBackend.call(
        'ListPriceChanges',
        {
          since: instant(since),
          until: instant(until),
          direction: direction ? DIRECTIONS[direction] : 'PRICE_DIRECTION_UNSPECIFIED',
          min_change_percent,
          currency,
          page: { size: limit, cursor },
        },
        callOptions(request, true),
      )
      return {
        items: res.changes.map((c) => ({
          item_id: c.item_id,
          title: c.title,
          version: Number(c.item_version),
          changed_at: iso(c.changed_at),
          old_price: money(c.old_price),
          new_price: money(c.new_price),
          change_percent: c.change_percent ?? null,
        })),
        next_cursor: res.page?.next_cursor || null,
      }
    },
  )
}
