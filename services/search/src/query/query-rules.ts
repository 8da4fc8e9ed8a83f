import type { FieldViolation } from '@catalog/kit'
import { decodeCursor } from '@catalog/kit'
import type { JsonObject, search } from '@catalog/proto'
import { fromTimestamp, StructTooDeepError, structToJson } from '@catalog/proto'
import { invalid } from '../errors.ts'
import type { AttributeRange, FacetRequest } from './attribute-filters.ts'
import { facetsOf, histogramOf, rangesOf, typoWordsOf } from './attribute-filters.ts'
import type { PatternPlan } from './pattern-plan.ts'
import { planOf } from './pattern-plan.ts'
import type { Branch } from './pattern-syntax.ts'
import { parsePattern, toPostgresRegex } from './pattern-syntax.ts'

export const LIMITS = {
  text: 256,
  pattern: 256,
  tags: 20,
  tag: 64,
  limit: 100,
  defaultLimit: 20,
  source: 100,
  attributeKeys: 20,
  attributesBytes: 4 * 1024,
} as const

export type Sort = 'relevance' | 'newest' | 'price_asc' | 'price_desc'

const SORTS: Record<string, Sort | undefined> = {
  SORT_ORDER_RELEVANCE: 'relevance',
  SORT_ORDER_NEWEST: 'newest',
  SORT_ORDER_PRICE_ASC: 'price_asc',
  SORT_ORDER_PRICE_DESC: 'price_desc',
}

/** A search request after validation: every field checked, bounded and typed. */
export interface SearchQuery {
  q?: string
  /** The last word of `q`, matched as a prefix (search as you type); the rest of `q` before it. */
  prefix?: { rest: string; last: string }
  contains?: string
  /**
   * The pattern as read by pattern-syntax.ts (a subset both engines run alike), written back as a
   * PostgreSQL ARE: `\d` and the like as explicit brackets, a lazy `?` dropped.
   */
  pattern?: string
  /** The same pattern as the tree each engine writes its own syntax from, read once. */
  patternTree?: Branch[]
  /** What the index can narrow the pattern by (see pattern-plan.ts). */
  patternPlan?: PatternPlan
  after?: Date
  before?: Date
  tags: string[]
  minPrice?: string
  maxPrice?: string
  currency?: string
  source?: string
  /** JSON containment on the item's attributes. */
  attributes?: JsonObject
  /** Numbers at attribute paths within bounds, each. */
  attributeRanges: AttributeRange[]
  /** Counted on a first page, in the request's order. */
  facets: FacetRequest[]
  facetSize: number
  /** The width of a price bucket in minor units, when a histogram is asked for (with a currency). */
  priceHistogram?: string
  /** The words of `q`, each also matched a typo or two away. */
  typo?: string[]
  sort: Sort
  limit: number
  /**
   * The keyset of the last row of the previous page, and the first page's exact total (`n`) when
   * it had one: a hint for the plan of later pages only (a wrong one costs time, never a result).
   */
  after_key?: { k: string; i: string; n?: number }
}

/** The attributes filter as JSON, bounded in keys and size; none when empty. */
function attributesOf(
  struct: search.SearchRequest__Output['attributes'],
  bad: (field: string, description: string) => void,
): JsonObject | undefined {
  if (!struct || Object.keys(struct.fields ?? {}).length === 0) return undefined
  let json: JsonObject
  try {
    json = structToJson(struct)
  } catch (err) {
    bad('attributes', err instanceof StructTooDeepError ? err.message : 'must be a JSON object')
    return undefined
  }
  if (Object.keys(json).length > LIMITS.attributeKeys) bad('attributes', `must name at most ${LIMITS.attributeKeys} keys`)
  else if (Buffer.byteLength(JSON.stringify(json)) > LIMITS.attributesBytes)
    bad('attributes', `must be at most ${LIMITS.attributesBytes} bytes as JSON`)
  return json
}

/**
 * The last word of `q` as a prefix: a plain word (letters or digits, not quoted, not negated, not
 * `or`). Otherwise nothing is a prefix and `q` is searched as it is.
 */
function prefixOf(q: string | undefined): SearchQuery['prefix'] {
  if (!q || q.endsWith('"')) return undefined
  const at = q.search(/\S+$/u)
  const last = q.slice(at)
  if (!/^[\p{L}\p{N}][\p{L}\p{N}'-]*$/u.test(last) || /^or$/i.test(last)) return undefined
  // A quote left open before the last word would make it part of a phrase.
  if ((q.slice(0, at).match(/"/g) ?? []).length % 2 === 1) return undefined
  return { rest: q.slice(0, at).trim(), last }
}

/** A pattern in the subset both engines run (see pattern-syntax.ts): its canonical ARE form, its tree and its plan. */
function patternOf(
  pattern: string | undefined,
  bad: (field: string, description: string) => void,
): Pick<SearchQuery, 'pattern' | 'patternTree' | 'patternPlan'> {
  if (pattern === undefined || [...pattern].length > LIMITS.pattern) return { pattern }
  const read = parsePattern(pattern)
  if (read.ok) return { pattern: toPostgresRegex(read.branches), patternTree: read.branches, patternPlan: planOf(read.branches) }
  bad('pattern', read.description)
  return {}
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function checkQuery(req: search.SearchRequest__Output): SearchQuery {
  const violations: FieldViolation[] = []
  const bad = (field: string, description: string) => violations.push({ field, description })
  const text = (field: 'q' | 'contains' | 'pattern', max: number) => {
    const value = req[field].trim()
    if ([...value].length > max) bad(field, `must be at most ${max} characters`)
    return value || undefined
  }
  const q = text('q', LIMITS.text)
  const prefix = req.prefix ? prefixOf(q) : undefined
  if (req.prefix && !q) bad('prefix', 'needs q')
  const contains = text('contains', LIMITS.text)
  const pattern = patternOf(text('pattern', LIMITS.pattern), bad)
  if (req.tags.length > LIMITS.tags) bad('tags', `must be at most ${LIMITS.tags} tags`)
  if (req.tags.some((t) => t.length === 0 || t.length > LIMITS.tag)) bad('tags', `each tag must be 1 to ${LIMITS.tag} characters`)
  const after = req.published_after ? fromTimestamp(req.published_after) : undefined
  const before = req.published_before ? fromTimestamp(req.published_before) : undefined
  if (after && before && after > before) bad('published_after', 'must not be later than published_before')
  const minPrice = req.min_price_minor ?? undefined
  const maxPrice = req.max_price_minor ?? undefined
  if (minPrice !== undefined && BigInt(minPrice) < 0n) bad('min_price', 'must not be negative')
  if (minPrice !== undefined && maxPrice !== undefined && BigInt(minPrice) > BigInt(maxPrice))
    bad('min_price', 'must not exceed max_price')
  if (req.currency && !/^[A-Z]{3}$/.test(req.currency)) bad('currency', 'must be an ISO 4217 code such as EUR')
  if (req.source && (req.source.length > LIMITS.source || /\s/.test(req.source)))
    bad('source', `must be 1 to ${LIMITS.source} characters without spaces`)
  const attributes = attributesOf(req.attributes, bad)
  const attributeRanges = rangesOf(req.attribute_ranges, bad)
  const { facets, facetSize } = facetsOf(req.facets, req.facet_size, bad)
  const priceHistogram = histogramOf(req.price_histogram, req.currency, bad)
  const typo = req.typo ? typoWordsOf(q, req.prefix, bad) : undefined
  // No engine stores a NUL character in text (PostgreSQL refuses it outright): a filter holding
  // one can match nothing and is the client's mistake, named like any other.
  for (const [field, value] of [
    ['q', req.q],
    ['contains', req.contains],
    ['pattern', req.pattern],
    ['source', req.source],
    ['currency', req.currency],
    ['tags', req.tags.join('')],
    ['attributes', attributes ? JSON.stringify(attributes) : ''],
  ] as const)
    if (value.includes('\u0000') || (field === 'attributes' && value.includes('\\u0000')))
      bad(field, 'must not contain NUL characters')
  if (req.limit < 0 || req.limit > LIMITS.limit) bad('limit', `must be between 1 and ${LIMITS.limit}`)
  const sort = req.sort === 'SORT_ORDER_UNSPECIFIED' || !req.sort ? (q ? 'relevance' : 'newest') : SORTS[String(req.sort)]
  if (!sort) bad('sort', 'must be relevance, newest, price_asc or price_desc')
  else if (sort === 'relevance' && !q) bad('sort', 'relevance needs q')
  if (violations.length > 0) throw invalid(violations)

  const resolved = sort as Sort
  const after_key = req.cursor
    ? decodeCursor(req.cursor, 'cursor', (v) => {
        const c = v as { s?: unknown; k?: unknown; i?: unknown; n?: unknown }
        if (!(c.s === resolved && typeof c.k === 'string' && c.k.length <= 64 && typeof c.i === 'string' && UUID.test(c.i)))
          return undefined
        const n = Number.isSafeInteger(c.n) && (c.n as number) >= 0 ? (c.n as number) : undefined
        return n === undefined ? { k: c.k, i: c.i } : { k: c.k, i: c.i, n }
      })
    : undefined
  return {
    q,
    prefix,
    contains,
    ...pattern,
    after,
    before,
    tags: [...new Set(req.tags)],
    minPrice,
    maxPrice,
    currency: req.currency || undefined,
    source: req.source || undefined,
    attributes,
    attributeRanges,
    facets,
    facetSize,
    priceHistogram,
    typo,
    sort: resolved,
    limit: req.limit || LIMITS.defaultLimit,
    after_key,
  }
}

/** A request as the gRPC loader would hand it over, from only the fields that are set, checked. */
export function checkRequest(req: Partial<search.SearchRequest__Output>): SearchQuery {
  return checkQuery({
    q: '',
    contains: '',
    pattern: '',
    published_after: null,
    published_before: null,
    tags: [],
    currency: '',
    sort: 'SORT_ORDER_UNSPECIFIED',
    limit: 0,
    cursor: '',
    prefix: false,
    source: '',
    attributes: null,
    attribute_ranges: [],
    facets: [],
    facet_size: 0,
    price_histogram: '0',
    typo: false,
    ...req,
  })
}
