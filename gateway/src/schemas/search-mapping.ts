import type { JsonObject, search } from '@catalog/proto'
import { fromTimestamp, jsonToStruct, StructTooDeepError, structToJson, toTimestamp } from '@catalog/proto'
import type { Static } from 'typebox'
import { codes, GatewayError } from '../errors.ts'
import type { SearchQuery } from './search.ts'
import { attributeParams, pathKeys } from './search-attributes.ts'

/* GET /v1/search as a Search call, and its answer as the REST API shows it. */

const SORTS = {
  relevance: 'SORT_ORDER_RELEVANCE',
  newest: 'SORT_ORDER_NEWEST',
  price_asc: 'SORT_ORDER_PRICE_ASC',
  price_desc: 'SORT_ORDER_PRICE_DESC',
} as const

/** `attributes` is a JSON object in the query string; anything else is the client's 400. */
function attributesFilter(text: string): JsonObject {
  const refuse = (description: string) =>
    new GatewayError(codes.validation, {
      detail: `attributes ${description}.`,
      violations: [{ field: 'query.attributes', description }],
    })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw refuse('must be a JSON object, such as {"color":"red"}')
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw refuse('must be a JSON object, such as {"color":"red"}')
  try {
    // Made once here, so that a filter too deep to travel is refused naming the parameter.
    jsonToStruct(json as JsonObject)
    return json as JsonObject
  } catch (err) {
    throw refuse(err instanceof StructTooDeepError ? err.message : 'must be a JSON object')
  }
}

/** A facet's value as JSON: what its google.protobuf.Value holds. */
const facetValue = (value: search.FacetValue__Output['value']) => structToJson({ fields: value ? { v: value } : {} }).v ?? ''

const RELATIONS: Record<string, 'eq' | 'gte' | undefined> = { TOTAL_RELATION_EQ: 'eq', TOTAL_RELATION_GTE: 'gte' }

/** The Search call a query string asks for; a mistake is the client's 400, naming the parameter. */
export function searchRequestOf(q: Static<typeof SearchQuery>): search.SearchRequest {
  const attr = attributeParams(q, q.attributes ? attributesFilter(q.attributes) : undefined)
  const facets = (q.facets ?? '').split(',').filter(Boolean)
  for (const f of facets) if (f !== 'tags') pathKeys(f.slice('attr.'.length), 'query.facets')
  if (q.price_histogram !== undefined && !q.currency)
    throw new GatewayError(codes.validation, {
      detail: 'price_histogram needs currency.',
      violations: [{ field: 'query.price_histogram', description: 'needs currency' }],
    })
  return {
    q: q.q ?? '',
    prefix: q.prefix ?? false,
    contains: q.contains ?? '',
    pattern: q.pattern ?? '',
    published_after: q.after ? toTimestamp(new Date(q.after)) : null,
    published_before: q.before ? toTimestamp(new Date(q.before)) : null,
    tags: (q.tags ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    currency: q.currency ?? '',
    source: q.source ?? '',
    attributes: attr.attributes ? jsonToStruct(attr.attributes) : null,
    attribute_ranges: attr.ranges,
    facets,
    facet_size: q.facet_size ?? 0,
    price_histogram: String(q.price_histogram ?? 0),
    typo: q.typo ?? false,
    sort: q.sort ? SORTS[q.sort as keyof typeof SORTS] : 'SORT_ORDER_UNSPECIFIED',
    limit: q.limit ?? 20,
    cursor: q.cursor ?? '',
    ...(q.min_price !== undefined ? { min_price_minor: String(q.min_price) } : {}),
    ...(q.max_price !== undefined ? { max_price_minor: String(q.max_price) } : {}),
  }
}

/** A Search answer as GET /v1/search returns it, for the query `q` that asked. */
export function searchResultToJson(res: search.SearchResponse__Output, q: Static<typeof SearchQuery>) {
  return {
    items: res.hits.map((h) => ({
      id: h.item_id,
      title: h.title,
      snippet: h.snippet,
      tags: h.tags,
      price: h.price ? { amount_minor: Number(h.price.amount_minor), currency: h.price.currency } : null,
      published_at: h.published_at ? fromTimestamp(h.published_at).toISOString() : null,
      score: h.score,
      version: Number(h.version),
      source: h.source,
      external_id: h.external_id,
      attributes: structToJson(h.attributes),
    })),
    next_cursor: res.next_cursor || null,
    estimated_total: Number(res.estimated_total),
    total_is_exact: res.total_is_exact,
    total_relation: RELATIONS[res.total_relation] ?? null,
    facets: {
      tags: res.tag_facets.map((f) => ({ tag: f.tag, count: Number(f.count) })),
      fields: Object.fromEntries(
        res.facets.map((f) => [f.field, f.values.map((v) => ({ value: facetValue(v.value), count: Number(v.count) }))]),
      ),
    },
    price_histogram:
      q.price_histogram !== undefined && q.currency
        ? {
            width: q.price_histogram,
            currency: q.currency,
            buckets: res.price_histogram.map((b) => ({ from: Number(b.from_minor), count: Number(b.count) })),
            truncated: res.price_histogram_truncated,
          }
        : null,
  }
}
