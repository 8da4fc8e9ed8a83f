import type { Json, search } from '@catalog/proto'
import { jsonToStruct } from '@catalog/proto'
import { ATTRIBUTE_LIMITS } from './attribute-filters.ts'
import type { SearchQuery } from './query-rules.ts'

/** The counts of one facet as an engine found them, most frequent first. */
export type FacetCounts = { value: Json; n: number }[]

/** The response's facets, in the request's order, from each facet's counts. */
export function facetsResponse(query: SearchQuery, counts: FacetCounts[]): search.Facet[] {
  return query.facets.map((f, i) => ({
    field: f.field,
    values: (counts[i] ?? []).map((c) => ({ value: jsonToStruct({ v: c.value }).fields?.v ?? null, count: String(c.n) })),
  }))
}

/** The first buckets of a histogram (lowest first, non-empty), and whether there were more. */
export function histogramResponse(
  buckets: { from: string; n: number }[],
): Pick<search.SearchResponse, 'price_histogram' | 'price_histogram_truncated'> {
  return {
    price_histogram: buckets.slice(0, ATTRIBUTE_LIMITS.histogramBuckets).map((b) => ({ from_minor: b.from, count: String(b.n) })),
    price_histogram_truncated: buckets.length > ATTRIBUTE_LIMITS.histogramBuckets,
  }
}

/**
 * The ten most frequent tags among items' tags, each counted once per item (the catalog's rules
 * keep an item's tags distinct anyway), ties broken by `order`, each engine's own order of keys. An
 * engine counts them from a page that holds every match, instead of asking its store again.
 */
export function topTags(tagsOfItems: Iterable<readonly string[]>, order: (a: string, b: string) => number) {
  const counts = new Map<string, number>()
  for (const tags of tagsOfItems) for (const tag of new Set(tags)) counts.set(tag, (counts.get(tag) ?? 0) + 1)
  return [...counts]
    .map(([tag, n]) => ({ tag, n }))
    .sort((a, b) => b.n - a.n || order(a.tag, b.tag))
    .slice(0, 10)
}
