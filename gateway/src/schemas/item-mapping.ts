import type { catalog, JsonObject } from '@catalog/proto'
import { FIELD_PATHS, fromTimestamp, itemContentToJson, jsonToStruct, toTimestamp } from '@catalog/proto'
import type { Static } from 'typebox'
import { codes, GatewayError } from '../errors.ts'
import type { Item, PatchItemBody } from './item.ts'

type ItemJson = Static<typeof Item>
type FieldsJson = Static<typeof PatchItemBody>

const MAX_DEPTH = 32

/*
 * Items between REST and the catalog's messages, both ways, in one place (the routes only call the
 * catalog with what these make and answer what these return); price history builds on the money
 * and time mappings here.
 */

type Money = catalog.Item__Output['price']
type Timestamp = catalog.Item__Output['created_at']

/** Money as REST shows it: the int64 of minor units becomes a JSON integer (below 2^53 by schema). */
export const moneyToJson = (m: Money) => (m ? { amount_minor: Number(m.amount_minor), currency: m.currency } : null)

/** An instant the catalog always sets, in RFC 3339. */
export const timestampToJson = (ts: Timestamp) => (ts ? fromTimestamp(ts).toISOString() : '')

/** A query instant (a date is the start of that UTC day, as `new Date` reads it) for the catalog. */
export const instantToProto = (value: string | undefined) => (value === undefined ? null : toTimestamp(new Date(value)))

/** The REST item from the catalog's. int64s become JSON integers: they stay below 2^53 in practice and by schema. */
export function itemToJson(item: catalog.Item__Output | null): ItemJson {
  if (!item) throw new Error('the catalog answered without an item')
  return {
    id: item.id,
    ...itemContentToJson(item),
    price: moneyToJson(item.price),
    created_at: timestampToJson(item.created_at),
    updated_at: timestampToJson(item.updated_at),
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

/** A JSON merge patch as the catalog's fields and the mask of the paths it names (title defaults to empty). */
export function patchFromJson(body: FieldsJson): { fields: catalog.ItemFields; update_mask: { paths: string[] } } {
  return {
    fields: fieldsFromJson({ title: '', ...body }),
    update_mask: { paths: FIELD_PATHS.filter((f) => f in body) },
  }
}

/** If-Match carries the version a write expects, as the strong ETag `"<version>"`; `*` or none expects any. */
export function expectedVersion(header: string | undefined): string {
  if (!header || header.trim() === '*') return '0'
  const match = /^"([1-9][0-9]{0,15})"$/.exec(header.trim())
  if (!match?.[1]) {
    throw new GatewayError(codes.validation, {
      detail: 'If-Match must be one strong ETag of this API, such as "3".',
      violations: [{ field: 'headers.if-match', description: 'must be a strong ETag such as "3"' }],
    })
  }
  return match[1]
}

/** Walks without recursion, so a hostile nesting cannot exhaust the stack before it is refused. */
function checkDepth(value: JsonObject): JsonObject {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number]
    if (depth > MAX_DEPTH) {
      throw new GatewayError(codes.validation, {
        detail: 'The request is not valid.',
        violations: [{ field: 'body.attributes', description: `must not nest deeper than ${MAX_DEPTH} levels` }],
      })
    }
    if (node && typeof node === 'object') for (const child of Object.values(node)) stack.push([child, depth + 1])
  }
  return value
}
