import type { search } from '@catalog/proto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { SearchCache } from '../cache/search-cache.ts'
import { Problem } from '../schemas/item.ts'
import { ATTR_DESCRIPTION, SearchQuery, SearchResult } from '../schemas/search.ts'
import { searchRequestOf, searchResultToJson } from '../schemas/search-mapping.ts'
import type { Backend } from '../upstream/backend.ts'
import { callOptions } from '../upstream/call-options.ts'

/** GET /v1/search; with `cache`, a page asked again within its TTL is answered from it (cache/search-cache.ts). */
export function searchRoutes(
  app: FastifyInstance,
  searchBackend: Backend<search.SearchServiceDefinition>,
  cache?: SearchCache,
): void {
  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/v1/search',
    {
      config: { scope: 'search:read' },
      schema: {
        tags: ['search'],
        summary: 'Search the catalog',
        // Parameters named by pattern are not listed by OpenAPI: the operation describes them.
        description: `Filters on attributes: ${ATTR_DESCRIPTION}`,
        querystring: SearchQuery,
        response: { 200: SearchResult, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      if (!cache) return searchOf(request)
      const { body, outcome } = await cache.read(request, async () => reply.serialize(await searchOf(request)) as string)
      return reply.header('x-cache', outcome).type('application/json; charset=utf-8').send(body)
    },
  )

  async function searchOf(request: FastifyRequest<{ Querystring: Static<typeof SearchQuery> }>) {
    const res = await searchBackend.call('Search', searchRequestOf(request.query), callOptions(request, true))
    return searchResultToJson(res, request.query)
  }
}
