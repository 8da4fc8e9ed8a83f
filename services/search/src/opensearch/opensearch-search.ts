import { encodeCursor } from '@catalog/kit'
import type { Json, JsonObject, search } from '@catalog/proto'
import { jsonToStruct, toTimestamp } from '@catalog/proto'
import { invalid, patternNeedsScan, tooSlow } from '../errors.ts'
import type { FacetCounts } from '../query/facet-results.ts'
import { facetsResponse, histogramResponse, topTags } from '../query/facet-results.ts'
import { startOf } from '../query/pattern-plan.ts'
import type { SearchQuery } from '../query/query-rules.ts'
import { snippetHtml, snippetMarks } from '../query/snippet.ts'
import type { IndexFeatures } from './index-template.ts'
import type { OpenSearchClient, OpenSearchErrorBody } from './opensearch-client.ts'
import { describe, OpenSearchTimeout, replyError } from './opensearch-client.ts'
import type { SearchBodyOptions } from './opensearch-query.ts'
import { facetBody, facetPrefix, searchBody, sortKey } from './opensearch-query.ts'

export interface OpenSearchSearchOptions {
  /** A search ends here: cancelled on the cluster, a 400 naming its filter to the caller. */
  statementTimeoutMs: number
  countCap: number
  patternScanMaxItems: number
}

interface Source {
  id: string
  source?: string
  external_id?: string
  title?: string
  description?: string
  tags?: string[]
  attributes?: JsonObject
  price_amount_minor?: string | null
  price_currency?: string | null
  published_at?: string | null
  version?: string
}

interface Hit {
  _id: string
  _score: number | null
  _source: Source
  sort?: unknown[]
  highlight?: { description?: string[] }
}

export interface SearchReply extends OpenSearchErrorBody {
  timed_out?: boolean
  hits?: { total?: { value: number; relation: 'eq' | 'gte' }; hits: Hit[] }
  aggregations?: {
    sample?: { tags?: Buckets<string> }
    counted?: Record<string, Buckets<string | number> | undefined>
  }
}

interface Buckets<K> {
  buckets: { key: K; doc_count: number }[]
}

/** The requested facets and histogram from the `counted` aggregations (opensearch-query.ts). */
function countedOf(query: SearchQuery, counted: NonNullable<SearchReply['aggregations']>['counted'], first: boolean) {
  if (!first) return { facets: [], price_histogram: [], price_histogram_truncated: false }
  const counts: FacetCounts[] = query.facets.map((f, i) =>
    (counted?.[`facet_${i}`]?.buckets ?? []).map((b) => ({
      // A term of attribute_values is `path=json`: the value is the JSON after the path.
      value: f.path ? (JSON.parse(String(b.key).slice(facetPrefix(f.path).length)) as Json) : String(b.key),
      n: b.doc_count,
    })),
  )
  const buckets = (counted?.prices?.buckets ?? []).map((b) => ({ from: String(Math.floor(Number(b.key))), n: b.doc_count }))
  return { facets: facetsResponse(query, counts), ...histogramResponse(buckets) }
}

/** Regular expressions Lucene cannot turn into an automaton within its bounds: the client's pattern. */
const TOO_COMPLEX = /Determinizing|too complex|TooComplexToDeterminize|max_regex_length|maxDeterminizedStates/i
/** The cluster cancelled the search at cancel_after_time_interval. */
const CANCELLED = /cancel/i

export async function runOpenSearch(
  client: OpenSearchClient,
  alias: string,
  tenant: string,
  query: SearchQuery,
  options: OpenSearchSearchOptions & IndexFeatures,
): Promise<search.SearchResponse> {
  const { statementTimeoutMs: ms, countCap, grams } = options
  // One bound for the whole search: the facets' search gets what the page's left of it.
  const deadline = Date.now() + ms
  const field = query.pattern
    ? 'pattern'
    : query.contains
      ? 'contains'
      : query.attributeRanges.length > 0
        ? 'attribute_ranges'
        : 'q'
  if (query.patternPlan && !query.q && !query.patternPlan.narrowed)
    await checkScan(client, alias, tenant, options.patternScanMaxItems)
  const marks = snippetMarks()
  /** One search under the bound: cancelled on the cluster past it, a 400 naming the filter. */
  const send = async (body: Record<string, unknown>) => {
    const left = deadline - Date.now()
    if (left <= 0) throw tooSlow(field, ms)
    const reply = await client
      .call<SearchReply>('POST', `/${alias}/_search`, body, {
        query: { cancel_after_time_interval: `${left}ms`, allow_partial_search_results: false },
        // The cluster cancels at the bound; the request waits a little longer for it to say so.
        timeoutMs: left + 1_000,
      })
      .catch((err: unknown) => {
        // Whatever ends a search past its bound (the client's timeout, the connection given up) is the bound's doing.
        throw err instanceof OpenSearchTimeout || Date.now() > deadline ? tooSlow(field, ms) : err
      })
    if (reply.status !== 200) {
      const reason = describe(reply.body)
      if (query.pattern && TOO_COMPLEX.test(JSON.stringify(reply.body)))
        throw invalid([{ field: 'pattern', description: 'is too complex to compile' }])
      if (CANCELLED.test(reason) || Date.now() > deadline) throw tooSlow(field, ms)
      throw replyError(`POST /${alias}/_search`, reply)
    }
    // The cluster checks for cancellation now and then: a search can end past the bound unbroken.
    if (reply.body.timed_out || Date.now() > deadline) throw tooSlow(field, ms)
    return reply
  }
  const reply = await send(searchBody(tenant, query, { countCap, marks, grams }))
  const aggregations = await facetsOf(reply.body, tenant, query, send, { countCap, grams })
  const hits = reply.body.hits?.hits ?? []
  const page = hits.slice(0, query.limit)
  const last = page.at(-1)
  const first = !query.after_key
  const total = reply.body.hits?.total
  const exact = total?.relation !== 'gte'
  return {
    hits: page.map((h) => {
      const s = h._source
      const raw = query.q ? (h.highlight?.description?.[0] ?? '') : startOf(s.description ?? '', 200)
      return {
        item_id: s.id,
        title: s.title ?? '',
        snippet: snippetHtml(raw, marks),
        tags: s.tags ?? [],
        price:
          s.price_amount_minor == null ? null : { amount_minor: String(s.price_amount_minor), currency: s.price_currency ?? '' },
        published_at: s.published_at ? toTimestamp(new Date(s.published_at)) : null,
        score: query.sort === 'relevance' ? (h._score ?? 0) : 0,
        version: s.version ?? '0',
        source: s.source ?? '',
        external_id: s.external_id ?? '',
        attributes: jsonToStruct(s.attributes ?? {}),
      }
    }),
    next_cursor:
      hits.length > query.limit && last ? encodeCursor({ s: query.sort, k: sortKey(query.sort, last), i: last._source.id }) : '',
    estimated_total: String(first ? Math.min(total?.value ?? 0, countCap) : 0),
    total_is_exact: first && exact,
    total_relation: !first ? 'TOTAL_RELATION_UNSPECIFIED' : exact ? 'TOTAL_RELATION_EQ' : 'TOTAL_RELATION_GTE',
    tag_facets: (aggregations?.sample?.tags?.buckets ?? []).map((b) => ({ tag: b.key, count: String(b.doc_count) })),
    ...countedOf(query, aggregations?.counted, first),
  }
}

/**
 * The first page's facets, from a search of their own after the page's (facetBody says why). When
 * the page holds every match and only the tags are asked for, they are counted from its hits: a
 * rare match costs its checks once, not twice.
 */
export async function facetsOf(
  page: SearchReply,
  tenant: string,
  query: SearchQuery,
  send: (body: Record<string, unknown>) => Promise<{ body: SearchReply }>,
  options: Pick<SearchBodyOptions, 'countCap' | 'grams'>,
): Promise<SearchReply['aggregations']> {
  if (query.after_key) return undefined
  const hits = page.hits?.hits ?? []
  const whole = page.hits?.total?.relation === 'eq' && hits.length <= query.limit
  if (whole && query.facets.length === 0 && !query.priceHistogram) {
    // The cluster's order of keys: by their bytes.
    const top = topTags(
      hits.map((h) => h._source.tags ?? []),
      (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)),
    )
    return { sample: { tags: { buckets: top.map(({ tag, n }) => ({ key: tag, doc_count: n })) } } }
  }
  return (await send(facetBody(tenant, query, options))).body.aggregations
}

/** Whether the tenant holds more than `maxItems` items, counted no further than one past it on each shard. */
async function checkScan(client: OpenSearchClient, alias: string, tenant: string, maxItems: number) {
  const { count } = await client.ok<{ count: number }>(
    'POST',
    `/${alias}/_count`,
    { query: { bool: { filter: [{ term: { tenant } }, { term: { deleted: false } }] } } },
    { query: { terminate_after: maxItems + 1 } },
  )
  if (count > maxItems) throw patternNeedsScan(maxItems)
}
