import type { catalog } from '@catalog/proto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { codes, GatewayError } from '../errors.ts'
import { CreateItemBody, Item, ItemParams, PatchItemBody, Problem, ReplaceItemBody } from '../schemas/item.ts'
import { fieldsFromJson, itemToJson } from '../schemas/item-mapping.ts'
import type { Backend } from '../upstream/backend.ts'
import { callOptions } from '../upstream/call-options.ts'
import { createItemLoader } from '../upstream/item-loader.ts'

type Catalog = Backend<catalog.CatalogServiceDefinition>

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 412: Problem, 429: Problem }
const FIELD_NAMES = ['title', 'description', 'tags', 'attributes', 'price', 'published_at'] as const

export function itemRoutes(app: FastifyInstance, catalogBackend: Catalog): void {
  const items = createItemLoader(catalogBackend)
  app.get<{ Params: { id: string } }>(
    '/v1/items/:id',
    {
      config: { scope: 'items:read' },
      schema: { tags: ['items'], summary: 'Get an item', params: ItemParams, response: { 200: Item, 304: {}, ...errors } },
    },
    async (request, reply) => {
      const json = itemToJson(await items.get(request, request.params.id))
      const etag = `"${json.version}"`
      reply.header('etag', etag).header('cache-control', 'private, no-cache')
      if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()
      return json
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
      const { item } = await catalogBackend.call(
        'CreateItem',
        { source, external_id, fields: fieldsFromJson(rest) },
        callOptions(request, false),
      )
      const json = itemToJson(item)
      return reply.code(201).header('location', `/v1/items/${json.id}`).header('etag', `"${json.version}"`).send(json)
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
    async (request, reply) => {
      const req = { id: request.params.id, fields: fieldsFromJson(request.body), expected_version: expectedVersion(request) }
      return sendItem(reply, (await catalogBackend.call('UpdateItem', req, callOptions(request, false))).item)
    },
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
    async (request, reply) => {
      const paths = FIELD_NAMES.filter((f) => f in request.body)
      const req = {
        id: request.params.id,
        fields: fieldsFromJson({ title: '', ...request.body }),
        update_mask: { paths },
        expected_version: expectedVersion(request),
      }
      return sendItem(reply, (await catalogBackend.call('UpdateItem', req, callOptions(request, false))).item)
    },
  )

  app.delete<{ Params: { id: string } }>(
    '/v1/items/:id',
    {
      config: { scope: 'items:write' },
      schema: { tags: ['items'], summary: 'Delete an item', params: ItemParams, response: { 204: {}, ...errors } },
    },
    async (request, reply) => {
      await catalogBackend.call(
        'DeleteItem',
        { id: request.params.id, expected_version: expectedVersion(request) },
        callOptions(request, false),
      )
      return reply.code(204).send()
    },
  )
}

function sendItem(reply: FastifyReply, item: catalog.Item__Output | null) {
  const json = itemToJson(item)
  return reply.header('etag', `"${json.version}"`).send(json)
}

/** If-None-Match uses weak comparison (RFC 9110 13.1.2): W/"3" matches "3". */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

/** If-Match carries the version a write expects, as the strong ETag `"<version>"`; `*` or none expects any. */
function expectedVersion(request: FastifyRequest): string {
  const header = request.headers['if-match']
  if (!header || header.trim() === '*') return '0'
  const match = /^"([1-9][0-9]{0,15})"$/.exec(header.trim())
  if (!match?.[1]) {
    throw new GatewayError(codes.validation, 400, 'Bad Request', {
      detail: 'If-Match must be one strong ETag of this API, such as "3".',
      violations: [{ field: 'headers.if-match', description: 'must be a strong ETag such as "3"' }],
    })
  }
  return match[1]
}
