import type { catalog, JsonObject } from '@catalog/proto'
import { fromTimestamp, jsonToStruct, structToJson, toTimestamp } from '@catalog/proto'
import type { Static } from 'typebox'
import { codes, GatewayError } from '../errors.ts'
import type { Item, PatchItemBody } from './item.ts'

type ItemJson = Static<typeof Item>
type FieldsJson = Static<typeof PatchItemBody>

const MAX_DEPTH = 32

/** The REST item from the catalog's. int64s become JSON integers: they stay below 2^53 in practice and by schema. */
export function itemToJson(item: catalog.Item__Output | null): ItemJson {
  if (!item) throw new Error('the catalog answered without an item')
  return {
    id: item.id,
    source: item.source,
    external_id: item.external_id,
    title: item.title,
    description: item.description,
    tags: item.tags,
    attributes: structToJson(item.attributes),
    price: item.price ? { amount_minor: Number(item.price.amount_minor), currency: item.price.currency } : null,
    published_at: item.published_at ? fromTimestamp(item.published_at).toISOString() : null,
    created_at: item.created_at ? fromTimestamp(item.created_at).toISOString() : '',
    updated_at: item.updated_at ? fromTimestamp(item.updated_at).toISOString() : '',
    version: Number(item.version),
  }
}

/** The catalog's ItemFields from a REST body; absent fields take their empty values. */
export function fieldsFromJson(body: FieldsJson): catalog.ItemFields {
  return {
    title: body.title ?? '',
    description: body.description ?? '',
    tags: body.tags ?? [],
    attributes: jsonToStruct(checkDepth((body.attributes ?? {}) as JsonObject)),
    price: body.price ? { amount_minor: String(body.price.amount_minor), currency: body.price.currency } : null,
    published_at: body.published_at ? toTimestamp(new Date(body.published_at)) : null,
  }
}

/** Walks without recursion, so a hostile nesting cannot exhaust the stack before it is refused. */
function checkDepth(value: JsonObject): JsonObject {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number]
    if (depth > MAX_DEPTH) {
      throw new GatewayError(codes.validation, 400, 'Bad Request', {
        detail: 'The request is not valid.',
        violations: [{ field: 'body.attributes', description: `must not nest deeper than ${MAX_DEPTH} levels` }],
      })
    }
    if (node && typeof node === 'object') for (const child of Object.values(node)) stack.push([child, depth + 1])
  }
  return value
}
