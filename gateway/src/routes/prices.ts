import type { catalog } from '@catalog/proto'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { ItemParams, Problem } from '../schemas/item.ts'
import {
  changesRequest,
  changesToJson,
  historyRequest,
  historyToJson,
  summaryRequest,
  summaryToJson,
} from '../schemas/price-mapping.ts'
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
    async (request) =>
      historyToJson(
        await catalogBackend.call(
          'ListPriceHistory',
          historyRequest(request.params.id, request.query),
          callOptions(request, true),
        ),
      ),
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
    async (request) =>
      summaryToJson(
        await catalogBackend.call(
          'SummarizePriceHistory',
          summaryRequest(request.params.id, request.query),
          callOptions(request, true),
        ),
        request.query,
      ),
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
    async (request) =>
      changesToJson(await catalogBackend.call('ListPriceChanges', changesRequest(request.query), callOptions(request, true))),
  )
}
