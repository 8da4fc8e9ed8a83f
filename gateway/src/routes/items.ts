import type { catalog } from '@catalog/proto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { ItemCache } from '../cache/item-cache.ts'
import type { CachedItem } from '../cache/item-store.ts'
import { CreateItemBody, Item, ItemParams, PatchItemBody, Problem, ReplaceItemBody } from '../schemas/item.ts'
import { expectedVersion, fieldsFromJson, itemToJson, patchFromJson } from '../schemas/item-mapping.ts'
import type { Backend } from '../upstream/backend.ts'
import { callOptions } from '../upstream/call-options.ts'
import { createItemLoader } from '../upstream/item-loader.ts'

type Catalog = Backend<catalog.CatalogServiceDefinition>

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 412: Problem, 429: Problem }

/** The item routes; with `cache`, reads are answered from it and writes keep it current (cache/item-cache.ts). */
export function itemRoutes(app: FastifyInstance, catalogBackend: Catalog, cache?: ItemCache): void {
  const items = createItemLoader(catalogBackend)
  /** A write's answer, as the next read through this replica gets it; or, failed, its entry goes (it may have happened). */
  const wrote = async (request: FastifyRequest, reply: FastifyReply, write: () => Promise<catalog.Item__Output | null>) => {
    const tenant = request.principal?.tenant ?? ''
    const id = (request.params as { id?: string }).id
    try {
      const item = await write()
      const json = itemToJson(item)
      cache?.wrote(tenant, json.id, rendered(reply, json))
      return json
    } catch (err) {
      if (id) cache?.removed(tenant, id)
      throw err
    }
  }
  /** PUT and PATCH: the item's fields (with PATCH, the paths to change) at the version If-Match expects. */
  const update = async (
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    change: Pick<catalog.UpdateItemRequest, 'fields' | 'update_mask'>,
  ) => {
    const req = { id: request.params.id, ...change, expected_version: expectedVersion(request.headers['if-match']) }
    const json = await wrote(
      request,
      reply,
      async () => (await catalogBackend.call('UpdateItem', req, callOptions(request, false))).item,
    )
    return reply.header('etag', `"${json.version}"`).send(json)
  }
  app.get<{ Params: { id: string } }>(
    '/v1/items/:id',
    {
      config: { scope: 'items:read' },
      schema: { tags: ['items'], summary: 'Get an item', params: ItemParams, response: { 200: Item, 304: {}, ...errors } },
    },
    async (request, reply) => {
      const { id } = request.params
      if (!cache) {
        const json = itemToJson(await items.get(request, id))
        const etag = `"${json.version}"`
        reply.header('etag', etag).header('cache-control', 'private, no-cache')
        if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()
        return json
      }
      const { item } = await cache.read(request, reply, id, async () => rendered(reply, itemToJson(await items.get(request, id))))
      const etag = `"${item.version}"`
      reply.header('etag', etag).header('cache-control', 'private, no-cache')
      if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()
      return reply.type('application/json; charset=utf-8').send(item.body)
    },
  )

  app.post<{ Body: Static<typeof CreateItemBody> }>(
    '/v1/items',
    {
      config: { scope: 'items:write' },
      schema: { tags: ['items'], summary: 'Create an item', body: CreateItemBody, response: { 201: Item, ...errors } },
    },
    async (request, reply) => {
      const { source, external_id, ...rest } = request.body
      reply.code(201)
      const json = await wrote(request, reply, async () => {
        const res = await catalogBackend.call(
          'CreateItem',
          { source, external_id, fields: fieldsFromJson(rest) },
          callOptions(request, false),
        )
        return res.item
      })
      return reply.header('location', `/v1/items/${json.id}`).header('etag', `"${json.version}"`).send(json)
    },
  )

  app.put<{ Params: { id: string }; Body: Static<typeof ReplaceItemBody> }>(
    '/v1/items/:id',
    {
      config: { scope: 'items:write' },
      schema: {
        tags: ['items'],
        summary: 'Replace an item',
        params: ItemParams,
        body: ReplaceItemBody,
        response: { 200: Item, ...errors },
      },
    },
    (request, reply) => update(request, reply, { fields: fieldsFromJson(request.body) }),
  )

  app.patch<{ Params: { id: string }; Body: Static<typeof PatchItemBody> }>(
    '/v1/items/:id',
    {
      config: { scope: 'items:write' },
      schema: {
        tags: ['items'],
        summary: 'Change some fields of an item (JSON merge patch)',
        params: ItemParams,
        body: PatchItemBody,
        response: { 200: Item, ...errors },
      },
    },
    (request, reply) => update(request, reply, patchFromJson(request.body)),
  )

  app.delete<{ Params: { id: string } }>(
    '/v1/items/:id',
    {
      config: { scope: 'items:write' },
      schema: { tags: ['items'], summary: 'Delete an item', params: ItemParams, response: { 204: {}, ...errors } },
    },
    async (request, reply) => {
      const { id } = request.params
      const tenant = request.principal?.tenant ?? ''
      try {
        const { version } = await catalogBackend.call(
          'DeleteItem',
          { id, expected_version: expectedVersion(request.headers['if-match']) },
          callOptions(request, false),
        )
        cache?.removed(tenant, id, Number(version))
      } catch (err) {
        cache?.removed(tenant, id)
        throw err
      }
      return reply.code(204).send()
    },
  )
}

/** The item as its route's response schema serializes it (the reply's status picks the schema), once. */
function rendered(reply: FastifyReply, json: ReturnType<typeof itemToJson>): CachedItem {
  // The route's response schema compiles a serializer that makes a string.
  return { body: reply.serialize(json) as string, version: json.version }
}

/** If-None-Match uses weak comparison (RFC 9110 13.1.2): W/"3" matches "3". */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}
