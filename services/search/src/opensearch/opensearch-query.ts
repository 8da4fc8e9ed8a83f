import { HIT_FIELDS } from '../engine.ts'
import { invalid } from '../errors.ts'
import type { Branch } from '../query/pattern-syntax.ts'
import { toLuceneRegex } from '../query/pattern-syntax.ts'
import type { SearchQuery, Sort } from '../query/query-rules.ts'
import type { SnippetMarks } from '../query/snippet.ts'
import { containmentPaths, lookupPath } from './attribute-paths.ts'
import type { Term } from './web-search.ts'
import { parseWebSearch } from './web-search.ts'

/*
 * A SearchQuery as an OpenSearch search body: the same filters as the PostgreSQL engine's SQL
 * (search-sql.ts), each on the field that answers it, the tenant and "not deleted" first.
 */

/** The title weighs more than the description, as ts_rank's weights A (1.0) and B (0.4) make it. */
const WORD_FIELDS = ['title^2.5', 'description']
/** Tags of the facets are counted among at most this many matches (PostgreSQL's FACET_SAMPLE). */
export const FACET_SAMPLE = 1_000
/** The published_at of an item without one, in the newest order: before any date (the earliest a Date can hold). */
export const NO_DATE = -8_640_000_000_000_000
/** The price key of an item without a price: last in either price order. */
const NO_PRICE = { price_asc: '9223372036854775807', price_desc: '-9223372036854775808' } as const

type Clause = Record<string, unknown>

const words = (term: Term, fields = WORD_FIELDS): Clause => ({
  // A word the analyzer splits (half-life) must keep its parts in order, as websearch_to_tsquery's
  // phrase of them; a single word is a term query.
  multi_match: { query: term.text, type: 'phrase', fields },
})

/** `q` (and its prefix) as a query: alternatives of terms that must all hold. */
function wordsQuery(query: SearchQuery, fields = WORD_FIELDS): Clause | undefined {
  if (!query.q) return undefined
  const text = query.prefix ? query.prefix.rest : query.q
  const groups = text ? parseWebSearch(text) : []
  const asBool = (terms: Term[]): Clause => ({
    bool: {
      must: terms.filter((t) => !t.negated).map((t) => words(t, fields)),
      must_not: terms.filter((t) => t.negated).map((t) => words(t, fields)),
    },
  })
  const rest: Clause | undefined =
    groups.length === 0
      ? undefined
      : groups.length === 1
        ? asBool(groups[0] ?? [])
        : { bool: { should: groups.map(asBool), minimum_should_match: 1 } }
  if (query.typo) {
    // Each word, a typo or two away (AUTO: none up to 2 characters, 1 up to 5, 2 past), in the
    // title or the description; the exact words still count, so they rank first.
    const fuzzy = {
      bool: { must: query.typo.map((w) => ({ multi_match: { query: w, operator: 'and', fuzziness: 'AUTO', fields } })) },
    }
    return { bool: { should: rest ? [rest, fuzzy] : [fuzzy], minimum_should_match: 1 } }
  }
  if (!query.prefix) return rest ?? { match_none: {} }
  // The last word's analyzed terms, the final one as a prefix: no cap on how many words it expands to.
  const last = { multi_match: { query: query.prefix.last, type: 'bool_prefix', operator: 'and', fields } }
  return rest ? { bool: { must: [rest, last] } } : last
}

/** What the highlighter marks: the words of `q` that must hold, in the description. */
function highlightQuery(query: SearchQuery): Clause | undefined {
  if (!query.q) return undefined
  const fields = ['description']
  const text = query.prefix ? query.prefix.rest : query.q
  const positive = (text ? parseWebSearch(text) : []).flat().filter((t) => !t.negated)
  const should: Clause[] = positive.map((t) => words(t, fields))
  if (query.prefix) should.push({ multi_match: { query: query.prefix.last, type: 'bool_prefix', fields } })
  return { bool: { should } }
}

/** Backslashes before the wildcard query's own characters: the rest is literal. */
const escapeWildcard = (s: string) => s.replace(/[\\*?]/g, (c) => `\\${c}`)

/** A query on the title's or the description's subfield `field`. */
const either = (kind: string, field: string, value: Clause): Clause => ({
  bool: {
    should: [{ [kind]: { [`title.${field}`]: value } }, { [kind]: { [`description.${field}`]: value } }],
    minimum_should_match: 1,
  },
})

/**
 * `pattern` on the wildcard fields, whose regexp narrows by trigrams only. Anchored with a literal
 * start, it runs over whole values as terms (title_exact, description_exact: an automaton walked
 * from the prefix through the term dictionary, no stored value read); a description too long to be
 * a term is checked the wildcard way where its start has the prefix. A document of an earlier
 * release has none of these fields and is checked the slower way. (A must_not is looked at before
 * the regexp's check, which reads the stored value.)
 */
function patternFilter(tree: Branch[], prefix: string | undefined): Clause {
  const regexp = { value: toLuceneRegex(tree), flags: 'NONE' }
  if (!prefix) return either('regexp', 'pattern', regexp)
  const long = {
    bool: {
      filter: [{ prefix: { description_start: prefix } }, { regexp: { 'description.pattern': regexp } }],
      must_not: [{ exists: { field: 'description_exact' } }],
    },
  }
  const earlier = { bool: { must_not: [{ exists: { field: 'title_exact' } }], filter: [either('regexp', 'pattern', regexp)] } }
  return {
    bool: {
      should: [{ regexp: { title_exact: regexp } }, { regexp: { description_exact: regexp } }, long, earlier],
      minimum_should_match: 1,
    },
  }
}

/**
 * `contains`. Of three characters or more, on an index with the `grams` subfields: a phrase of its
 * trigrams, each at the position after the one before, which holds exactly where the substring
 * does, from the postings alone. The wildcard field's trigrams carry no positions: each candidate
 * they find is checked against the value read from `_source` (~50 µs each; a count to 10,000 of a
 * common substring ran past the timeout). Shorter, or on an index of an earlier release, the
 * wildcard field answers.
 */
function containsFilter(contains: string, grams: boolean): Clause {
  if (grams && [...contains].length >= 3) return either('match_phrase', 'grams', { query: contains })
  return either('wildcard', 'contains', { value: `*${escapeWildcard(contains.toLowerCase())}*` })
}

function filters(tenant: string, query: SearchQuery, grams: boolean): Clause[] {
  const filter: Clause[] = [{ term: { tenant } }, { term: { deleted: false } }]
  if (query.contains) filter.push(containsFilter(query.contains, grams))
  if (query.patternTree) filter.push(patternFilter(query.patternTree, query.patternPlan?.prefix))
  if (query.after || query.before)
    filter.push({ range: { published_at: { gte: query.after?.toISOString(), lt: query.before?.toISOString() } } })
  for (const tag of query.tags) filter.push({ term: { tags: tag } })
  if (query.minPrice !== undefined || query.maxPrice !== undefined)
    filter.push({ range: { price_amount_minor: { gte: query.minPrice, lte: query.maxPrice } } })
  if (query.currency) filter.push({ term: { price_currency: query.currency } })
  if (query.source) filter.push({ term: { source: query.source } })
  if (query.attributes) for (const path of containmentPaths(query.attributes)) filter.push({ term: { attribute_paths: path } })
  for (const r of query.attributeRanges)
    filter.push({
      nested: {
        path: 'attribute_numbers',
        query: {
          bool: {
            filter: [
              { term: { 'attribute_numbers.path': lookupPath(r.path) } },
              { range: { 'attribute_numbers.value': { gte: r.min, lte: r.max } } },
            ],
          },
        },
      },
    })
  return filter
}

const SORTS: Record<Sort, Clause[]> = {
  relevance: [{ _score: 'desc' }, { id: 'desc' }],
  newest: [{ published_at: { order: 'desc', missing: NO_DATE } }, { id: 'desc' }],
  price_asc: [{ price_amount_minor: { order: 'asc', missing: '_last' } }, { id: 'asc' }],
  price_desc: [{ price_amount_minor: { order: 'desc', missing: '_last' } }, { id: 'desc' }],
}

/** A hit's key in its sort, as a cursor carries it: exact for prices (int64 travels as text). */
export function sortKey(
  sort: Sort,
  hit: { _score?: number | null; sort?: unknown[]; _source: { price_amount_minor?: string | null } },
) {
  if (sort === 'relevance') return String(hit._score ?? 0)
  if (sort === 'newest') return String(hit.sort?.[0] ?? NO_DATE)
  return hit._source.price_amount_minor ?? NO_PRICE[sort]
}

const INT64 = /^-?\d{1,19}$/
const inInt64 = (k: string) => INT64.test(k) && BigInt(k) >= -(2n ** 63n) && BigInt(k) < 2n ** 63n

/** The search_after of a cursor's key: a key that is not its sort's type was not one of ours. */
function searchAfter(sort: Sort, key: { k: string; i: string }): unknown[] {
  const number = Number(key.k)
  const ok =
    sort === 'relevance'
      ? key.k.trim() !== '' && Number.isFinite(number)
      : sort === 'newest'
        ? Number.isSafeInteger(number) && INT64.test(key.k)
        : inInt64(key.k)
  if (!ok) throw invalid([{ field: 'cursor', description: 'is not a cursor this server issued' }])
  return [sort === 'price_asc' || sort === 'price_desc' ? key.k : number, key.i]
}

/** Every character but letters, digits and _ escaped: the rest of a Lucene regular expression is literal. */
const escapeRegex = (s: string) => s.replace(/[^\p{L}\p{N}_]/gu, (c) => `\\${c}`)

/** The prefix of an attribute facet's terms in attribute_values: `"dims"."h"=`. */
export const facetPrefix = (path: readonly string[]) => `${lookupPath(path)}=`

/** The facets and price histogram a request asks for: none when it asks for neither. */
function countedAggs(query: SearchQuery): Clause | undefined {
  const aggs: Clause = {}
  const order = [{ _count: 'desc' }, { _key: 'asc' }]
  query.facets.forEach((f, i) => {
    aggs[`facet_${i}`] = f.path
      ? { terms: { field: 'attribute_values', size: query.facetSize, order, include: `${escapeRegex(facetPrefix(f.path))}.*` } }
      : { terms: { field: 'tags', size: query.facetSize, order } }
  })
  if (query.priceHistogram)
    aggs.prices = { histogram: { field: 'price_amount_minor', interval: Number(query.priceHistogram), min_doc_count: 1 } }
  return Object.keys(aggs).length === 0 ? undefined : aggs
}

export interface SearchBodyOptions {
  countCap: number
  marks: SnippetMarks
  /** Whether every index behind the alias has the `grams` subfields (index-template.ts). */
  grams: boolean
}

export function searchBody(tenant: string, query: SearchQuery, options: SearchBodyOptions): Clause {
  const first = !query.after_key
  const text = wordsQuery(query)
  const ranked = query.sort === 'relevance'
  const highlight = highlightQuery(query)
  return {
    size: query.limit + 1,
    query: {
      bool: {
        filter: ranked || !text ? filters(tenant, query, options.grams) : [...filters(tenant, query, options.grams), text],
        ...(ranked && text ? { must: [text] } : {}),
      },
    },
    sort: SORTS[query.sort],
    ...(query.after_key ? { search_after: searchAfter(query.sort, query.after_key) } : {}),
    // The first page counts the matches, later pages need not. No aggregation here: one would
    // collect every match, where the count and the sort may stop early (facetBody).
    track_total_hits: first ? options.countCap : false,
    _source: {
      includes: [
        ...HIT_FIELDS,
        // Without `q` the snippet is the description's start, cut here; with it, the highlighter's fragment.
        ...(highlight ? [] : ['description']),
      ],
    },
    ...(highlight
      ? {
          highlight: {
            pre_tags: [options.marks.start],
            post_tags: [options.marks.stop],
            fields: {
              description: {
                type: 'unified',
                number_of_fragments: 1,
                fragment_size: 200,
                no_match_size: 200,
                highlight_query: highlight,
              },
            },
          },
        }
      : {}),
  }
}

/**
 * The first page's facets, a search of its own sent after the page's: an aggregation collects
 * every match it sees, and in the page's search that would be every match of the query, each one
 * checked (a wildcard field's candidates are checked against the stored value, ~50 µs each: seconds
 * for a common substring at a million items). Here collection stops at the matches the facets
 * describe, as PostgreSQL's do: the tags among the first FACET_SAMPLE matches on each shard, and
 * the requested facets and histogram over the first countCap + 1 (every match when the total is
 * exact).
 */
export function facetBody(tenant: string, query: SearchQuery, options: Pick<SearchBodyOptions, 'countCap' | 'grams'>): Clause {
  const text = wordsQuery(query)
  const counted = countedAggs(query)
  const sample = Math.min(options.countCap + 1, FACET_SAMPLE)
  return {
    size: 0,
    track_total_hits: false,
    terminate_after: counted ? options.countCap + 1 : sample,
    query: {
      bool: { filter: text ? [...filters(tenant, query, options.grams), text] : filters(tenant, query, options.grams) },
    },
    aggs: {
      sample: {
        sampler: { shard_size: sample },
        aggs: { tags: { terms: { field: 'tags', size: 10, order: [{ _count: 'desc' }, { _key: 'asc' }] } } },
      },
      ...(counted ? { counted: { filter: { match_all: {} }, aggs: counted } } : {}),
    },
  }
}
