import type { catalog } from '@catalog/proto'
import { fromTimestamp } from '@catalog/proto'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { ItemParams, PagePrices, PageQuery, Problem } from '../schemas/item.ts'
import type { Backend } from '../upstream/backend.ts'
import { callOptions } from '../upstream/call-options.ts'

export function priceRoutes(app: FastifyInstance, catalogBackend: Backend<catalog.CatalogServiceDefinition>): void {
  app.get<{ Params: { id: string }; Querystring: Static<typeof PageQuery> }>(
    '/v1/items/:id/prices',
    {
      config: { scope: 'items:read' },
      schema: {
        tags: ['items'],
        summary: "An item's price history, newest first",
        params: ItemParams,
        querystring: PageQuery,
        response: { 200: PagePrices, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem },
      },
    },
    async (request) => {
      const { limit = 50, cursor = '' } = request.query
      const res = await catalogBackend.call(
        'ListPriceHistory',
        { item_id: request.params.id, page: { size: limit, cursor } },
        callOptions(request, true),
      )
      return {
        items: res.prices.map((p) => ({
          version: Number(p.item_version),
          price: p.price ? { amount_minor: Number(p.price.amount_minor), currency: p.price.currency } : null,
          changed_at: p.changed_at ? fromTimestamp(p.changed_at).toISOString() : '',
        })),
        next_cursor: res.page?.next_cursor || null,
      }
    },
  )
}
