import { HIT_FIELDS } from '../engine.ts'
import { ATTRIBUTE_LIMITS } from '../query/attribute-filters.ts'
import type { SearchQuery, Sort } from '../query/query-rules.ts'
import type { SnippetMarks } from '../query/snippet.ts'
import { headlineOptions, snippetMarks } from '../query/snippet.ts'

/** A search as parameterised SQL: every user value travels as a parameter, never as SQL text. */
export interface SearchSql {
  page: { text: string; values: unknown[] }
  /** The count (up to the cap, and one past it) and the tag facets of the same sample, from one scan of the matches. */
  summary: { text: string; values: unknown[] }
  /** A first page's rows carry the summary (summary_n, summary_facets): no summary query is needed. */
  summaryInPage: boolean
  /**
   * A first page in a sort order whose matches are costly to find (words, a substring, a regex,
   * tags): they are found once, up to the cap and one past it, counted, sampled for the facets and,
   * when they are all there (summary_n ≤ cap), sorted into the page in the same statement. Past the
   * cap the rows hold only the summary (id null) and `page` is run as well.
   */
  pageFromMatches?: { text: string; values: unknown[] }
  /**
   * Whether pageFromMatches runs with plain index scans off (see pageAndSummary). Not where a
   * pattern's prefix ranges are streamed: they are index-only scans, which the setting turns off.
   */
  matchesAsBitmaps: boolean
  /** The cap the statements count to. */
  countCap: number
  /** The requested facets (f0, f1…) and price histogram (prices) of the counted matches, on a first page; none when neither is asked for. */
  counted?: { text: string; values: unknown[] }
  /** The sentinels around matches in the page's raw snippets, for snippetHtml. */
  marks: SnippetMarks
}

/** Matches counted exactly, and sampled for the tag facets, by default (Elasticsearch's `track_total_hits`). */
export const COUNT_CAP = 10_000
/**
 * A later page of a pattern alone finds its matches from the prefix ranges again when the first
 * page counted at most this many: at a million items 240 -> 60 ms for a hundred matches and 255 ->
 * 65 ms for 1,100, where the walk of the sort's order checks the whole range in the heap; with
 * 7,900 matches the walk was faster (33 against 47 ms), finding its page among dense matches.
 */
export const STREAMED_LATER_PAGES_UP_TO = 2_000
/** Matches whose tags make the facets: counting to the cap is cheap, unnesting every match's tags is not. */
export const FACET_SAMPLE = 1_000

/** The date the newest order sorts on, of the rows named `alias` (`t.`), as its indexes hold it. */
const publishedOf = (alias = '') => `coalesce(${alias}published_at, '-infinity'::timestamptz)`
/** The ascending price key: items without a price come last either way; each sort's index holds its expression. */
const priceAscOf = (alias = '') => `coalesce(${alias}price_amount_minor, 9223372036854775807)`
const PUBLISHED = publishedOf()
const PRICE_ASC = priceAscOf()
const PRICE_DESC = 'coalesce(price_amount_minor, -1)'

/** What a hit shows, from the item rows named `alias`. */
const hitColumns = (alias = '') => HIT_FIELDS.map((c) => `${alias}${c}`).join(', ')

/** A statement's parameters, after `initial`: `p(value)` appends one and answers its placeholder. */
function params(initial: readonly unknown[]) {
  const values = [...initial]
  const p = (v: unknown) => {
    values.push(v)
    return `$${values.length}`
  }
  return { values, p }
}

/**
 * A date window, a price range and a currency, on the columns of `alias`, written on the
 * expressions the indexes hold (`price`, the one of the price order in use), so each is a range of
 * an index.
 */
function windowFilters(q: SearchQuery, p: (v: unknown) => string, alias: string, price: string): string[] {
  const where: string[] = []
  const published = publishedOf(alias)
  if (q.after || q.before) where.push(`${alias}published_at IS NOT NULL`)
  if (q.after) where.push(`${published} >= ${p(q.after)}`)
  if (q.before) where.push(`${published} < ${p(q.before)}`)
  if (q.minPrice !== undefined || q.maxPrice !== undefined) where.push(`${alias}price_amount_minor IS NOT NULL`)
  if (q.minPrice !== undefined) where.push(`${price} >= ${p(q.minPrice)}::bigint`)
  if (q.maxPrice !== undefined) where.push(`${price} <= ${p(q.maxPrice)}::bigint`)
  if (q.currency) where.push(`${alias}price_currency = ${p(q.currency)}`)
  return where
}

const SORTS: Record<Sort, { expr: (tsq: string) => string; dir: 'ASC' | 'DESC'; cast: string }> = {
  relevance: { expr: (tsq) => `ts_rank(document, ${tsq})::float8`, dir: 'DESC', cast: 'float8' },
  newest: { expr: () => PUBLISHED, dir: 'DESC', cast: 'timestamptz' },
  price_asc: { expr: () => PRICE_ASC, dir: 'ASC', cast: 'bigint' },
  price_desc: { expr: () => PRICE_DESC, dir: 'DESC', cast: 'bigint' },
}

/**
 * The ranges of the prefix indexes a pattern with a literal prefix reads: values up to a size from
 * the covering indexes, which hold the value itself, the rare longer ones from partial indexes of
 * their own (1767600000000_search-pattern-covering-prefix.sql; the size conditions are the indexes'
 * own, so that the planner proves each one applies).
 */
const PREFIX_RANGES = [
  { key: 'title COLLATE "C"', value: 'title', size: 'octet_length(title) <= 1000' },
  { key: 'title COLLATE "C"', value: 'title', size: 'octet_length(title) > 1000' },
  { key: 'left(description, 100) COLLATE "C"', value: 'description', size: 'octet_length(description) <= 1800' },
  { key: 'left(description, 100) COLLATE "C"', value: 'description', size: 'octet_length(description) > 1800' },
]

/** Whether a value (by its byte-ordered key) begins with `prefix` and matches `re` (placeholders), on the row's columns. */
const startsAndMatches = (key: string, value: string, prefix: string, re: string) =>
  `${key} ^@ ${prefix} AND (${value} || '') ~ ${re}`

/** Whether a range's value begins with `prefix` and matches `re`, within the range's size. */
const inRange = (range: (typeof PREFIX_RANGES)[number], prefix: string, re: string) =>
  `${range.size} AND ${startsAndMatches(range.key, range.value, prefix, re)}`

/** The filters of every search: the tenant's ($1) live items. */
const LIVE_ITEMS = ['tenant = $1', 'NOT deleted']

/**
 * The items of tenant $1 whose title (`in_title`) or description matches, one range each, as a
 * stream: index-only scans that check the regex on the entries of the covering indexes (only
 * matches are read from the heap). An item whose title and description both match is there twice.
 */
const prefixStream = (prefix: string, re: string) =>
  PREFIX_RANGES.map(
    (range) =>
      `SELECT id, ${range.value === 'title'} AS in_title FROM search_items
        WHERE ${LIVE_ITEMS.join(' AND ')} AND ${inRange(range, prefix, re)}`,
  ).join(' UNION ALL ')

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * The values at a path of keys, in lax mode: an array on the way or at the path is looked into, one
 * level (as OpenSearch's attribute terms are written, attribute-paths.ts).
 */
const laxPath = (keys: readonly string[]) => `lax $${keys.map((k) => `.${JSON.stringify(k)}`).join('')}[*]`

/**
 * The facets and price histogram of the matches the count reads (`matches`: the first countCap + 1
 * with their tags, attributes and price), in one statement. Values order by count, then by their JSON text in byte order (OpenSearch's term order).
 */
function countedSql(q: SearchQuery, matches: string, filterValues: unknown[]) {
  if (q.after_key || (q.facets.length === 0 && !q.priceHistogram)) return undefined
  const { values, p } = params(filterValues)
  const top = (from: string) => `coalesce((SELECT json_agg(f) FROM (
      SELECT value, count(*)::int AS n FROM m, ${from} GROUP BY value ORDER BY n DESC, value::text COLLATE "C" LIMIT ${q.facetSize}) f), '[]'::json)`
  const columns = q.facets.map((f, i) =>
    f.path
      ? `${top(`LATERAL (SELECT DISTINCT v AS value FROM jsonb_path_query(m.attributes, ${p(laxPath(f.path))}::jsonpath) v
                  WHERE jsonb_typeof(v) IN ('string', 'number', 'boolean')) x`)} AS f${i}`
      : `${top('LATERAL (SELECT DISTINCT to_jsonb(t) AS value FROM unnest(m.tags) t) x')} AS f${i}`,
  )
  if (q.priceHistogram) {
    const width = p(q.priceHistogram)
    // Floor division, so a bucket starts at a multiple of the width whatever the sign of the price.
    columns.push(`coalesce((SELECT json_agg(b) FROM (
        SELECT (floor(price_amount_minor::numeric / ${width}::bigint) * ${width}::bigint)::text AS "from", count(*)::int AS n
          FROM m WHERE price_amount_minor IS NOT NULL GROUP BY 1 ORDER BY min(price_amount_minor) LIMIT ${ATTRIBUTE_LIMITS.histogramBuckets + 1}) b), '[]'::json) AS prices`)
  }
  return {
    text: `WITH m AS MATERIALIZED (${matches})
           SELECT ${columns.join(', ')}`,
    values,
  }
}

/**
 * Filters an index answers from its own entries: a date window (the newest index), a price range
 * and a currency (the price indexes), a source (its own index). Their matches can be counted by an
 * index-only scan, where the filters share one index.
 */
const countableInIndex = (q: SearchQuery) =>
  !q.q && !q.contains && !q.pattern && q.tags.length === 0 && !q.attributes && q.attributeRanges.length === 0

/**
 * The first page's count (to the cap and one past it) and tag facets (of the first FACET_SAMPLE
 * matches). Where finding the matches is the expensive part (words, a substring, a regex), they
 * are found once for both. Where the sort indexes answer every filter, the count reads only index
 * entries (they hold published_at, the price and its currency) and just the sample's rows are
 * read for their tags: 10,001 heap fetches were most of a date window's time.
 */
function summaryText(q: SearchQuery, filters: string, countCap: number, facetsOf: (m: string) => string) {
  if (countableInIndex(q))
    return `WITH m AS MATERIALIZED (SELECT tags FROM search_items WHERE ${filters} LIMIT ${FACET_SAMPLE})
            SELECT (SELECT count(*)::int FROM (SELECT FROM search_items WHERE ${filters} LIMIT ${countCap + 1}) c) AS n,
                   ${facetsOf('m')} AS facets`
  return `WITH m AS MATERIALIZED (SELECT tags FROM search_items WHERE ${filters} LIMIT ${countCap + 1})
          SELECT (SELECT count(*)::int FROM m) AS n, ${facetsOf('m')} AS facets`
}

/**
 * A search the tag rows (search_item_tags) answer alone: one tag, with only the filters their
 * entries hold (a date window, a price range, a currency), in date order or, within a currency,
 * price order. Its page walks a tag's btree in the sort's order and stops at the page; its count
 * is an index-only scan. Other searches with tags find the tag's items in its GIN entries.
 */
const answeredByTagRows = (q: SearchQuery) =>
  q.tags.length === 1 &&
  !q.q &&
  !q.contains &&
  !q.pattern &&
  !q.source &&
  !q.attributes &&
  q.attributeRanges.length === 0 &&
  (q.sort === 'newest' || ((q.sort === 'price_asc' || q.sort === 'price_desc') && q.currency !== undefined))

function tagRowsSql(tenant: string, q: SearchQuery, countCap: number, marks: SnippetMarks): SearchSql {
  const { values, p } = params([tenant])
  // In a currency every price is there, so the ascending key walked backwards is the descending order.
  const price = priceAscOf('t.')
  const where = ['t.tenant = $1', `t.tag = ${p(q.tags[0])}`, ...windowFilters(q, p, 't.', price)]
  const filters = where.join(' AND ')
  const filterValues = [...values]

  const key = q.sort === 'newest' ? publishedOf('t.') : price
  const { dir, cast } = SORTS[q.sort]
  const keyset = q.after_key
    ? ` AND (${key}, t.id) ${dir === 'DESC' ? '<' : '>'} (${p(q.after_key.k)}::${cast}, ${p(q.after_key.i)}::uuid)`
    : ''
  const page = `
    SELECT ${hitColumns('s.')}, t.sort_key, t.sort_key::text AS sort_key_text, left(s.description, 200) AS snippet
      FROM (SELECT t.id, ${key} AS sort_key FROM search_item_tags t
             WHERE ${filters}${keyset} ORDER BY ${key} ${dir}, t.id ${dir} LIMIT ${q.limit + 1}) t
      JOIN search_items s ON s.id = t.id AND s.tenant = $1
     ORDER BY t.sort_key ${dir}, t.id ${dir}`
  // The facets count the tags of a sample of the matches from the tag rows themselves (one per tag of an item).
  const summary = `
    WITH m AS MATERIALIZED (SELECT t.id FROM search_item_tags t WHERE ${filters} LIMIT ${FACET_SAMPLE})
    SELECT (SELECT count(*)::int FROM (SELECT FROM search_item_tags t WHERE ${filters} LIMIT ${countCap + 1}) c) AS n,
           coalesce((SELECT json_agg(f) FROM (
             SELECT x.tag, count(*)::int AS n FROM m JOIN search_item_tags x ON x.id = m.id
              GROUP BY x.tag ORDER BY n DESC, x.tag COLLATE "C" LIMIT 10) f), '[]'::json) AS facets`
  const matches = `SELECT s.tags, s.attributes, s.price_amount_minor
                     FROM (SELECT t.id FROM search_item_tags t WHERE ${filters} LIMIT ${countCap + 1}) t
                     JOIN search_items s ON s.id = t.id AND s.tenant = $1`
  return {
    page: { text: page, values },
    summary: { text: summary, values: filterValues },
    summaryInPage: false,
    matchesAsBitmaps: true,
    counted: countedSql(q, matches, filterValues),
    countCap,
    marks,
  }
}

export interface SearchSqlOptions {
  countCap?: number
  marks?: SnippetMarks
  /** Whether a search the tag rows answer alone is answered from them (default); false: as any other, for tests that compare the two. */
  tagRows?: boolean
}

export function searchSql(tenant: string, q: SearchQuery, options: SearchSqlOptions = {}): SearchSql {
  const { countCap = COUNT_CAP, marks = snippetMarks(), tagRows = true } = options
  if (tagRows && answeredByTagRows(q)) return tagRowsSql(tenant, q, countCap, marks)
  const patternPrefix = q.patternPlan?.prefix
  const { values, p } = params([tenant])
  const where = [...LIVE_ITEMS]
  // With a prefix, the last word's lexemes (as websearch_to_tsquery normalises them) become a
  // prefix query (`'la':*`) ANDed with the rest: only the text form can mark a lexeme as a prefix.
  const asPrefix = (last: string) => `(websearch_to_tsquery('catalog_text', ${p(last)})::text || ':*')::tsquery`
  const tsq = q.prefix
    ? q.prefix.rest
      ? `(websearch_to_tsquery('catalog_text', ${p(q.prefix.rest)}) && ${asPrefix(q.prefix.last)})`
      : asPrefix(q.prefix.last)
    : q.q
      ? `websearch_to_tsquery('catalog_text', ${p(q.q)})`
      : 'NULL::tsquery'
  // A typo-tolerant word is similar enough to a word of the title or the description (pg_trgm's
  // `<%`, which the trigram indexes answer): every word must be, or `q` match as it is. A word of
  // one or two characters has too few trigrams to be similar to anything in particular: it must be
  // there as it is (OpenSearch's AUTO allows it no edit either).
  const similar = (q.typo ?? []).map((w) => {
    const word = p(w)
    return [...w].length <= 2
      ? `document @@ plainto_tsquery('catalog_text', ${word})`
      : `(${word} <% title OR ${word} <% description)`
  })
  if (q.q && similar.length > 0) where.push(`(document @@ ${tsq} OR (${similar.join(' AND ')}))`)
  else if (q.q) where.push(`document @@ ${tsq}`)
  if (q.contains) {
    const like = p(`%${escapeLike(q.contains)}%`)
    where.push(`(title ILIKE ${like} OR description ILIKE ${like})`)
  }
  let prefixed: { stream: string; titleMatches: string } | undefined
  if (q.pattern && patternPrefix) {
    // Only values that begin with the prefix can match: ranges of the prefix indexes. The regex is
    // written on an expression the trigram indexes do not hold, because the planner guesses a regex
    // matches almost nothing and would otherwise take the trigrams of the same letters, which occur
    // anywhere in any word. As a filter (later pages, facets) the ranges are bitmap scans, which
    // a sort's index walk may beat where matches are dense; a first page finds its matches from
    // the stream of the same ranges (firstMatches).
    const re = p(q.pattern)
    const prefix = p(patternPrefix)
    prefixed = { stream: prefixStream(prefix, re), titleMatches: startsAndMatches('title COLLATE "C"', 'title', prefix, re) }
    where.push(`(${PREFIX_RANGES.map((range) => `(${inRange(range, prefix, re)})`).join(' OR ')})`)
  } else if (q.pattern) {
    const re = p(q.pattern)
    where.push(`(title ~ ${re} OR description ~ ${re})`)
  }
  where.push(...windowFilters(q, p, '', q.sort === 'price_desc' ? PRICE_DESC : PRICE_ASC))
  if (q.tags.length > 0) where.push(`tags @> ${p(q.tags)}::text[]`)
  if (q.source) where.push(`source = ${p(q.source)}`)
  if (q.attributes) where.push(`attributes @> ${p(JSON.stringify(q.attributes))}::jsonb`)
  // No index holds numbers by path: a range checks the rows the other filters leave, under the timeout.
  for (const r of q.attributeRanges) {
    const bounds = [r.min !== undefined ? '@ >= $min' : '', r.max !== undefined ? '@ <= $max' : ''].filter(Boolean)
    where.push(
      `jsonb_path_exists(attributes, ${p(`${laxPath(r.path)} ? (${bounds.join(' && ')})`)}::jsonpath, ${p(JSON.stringify({ min: r.min, max: r.max }))}::jsonb)`,
    )
  }
  const filters = where.join(' AND ')
  const filterValues = [...values]
  /**
   * The first countCap + 1 matches, with what the first page reads of them. With a prefixed
   * pattern as the only filter they come from its ranges as they are found, each then read by its
   * id (so the scan stops at the cap, as a bitmap scan of the same ranges did); an item whose title
   * and description both match is taken from its title's range only. Beside other filters the
   * ranges are bitmaps ANDed with theirs: a broad prefix under a narrow tag or window would
   * otherwise read every match of the pattern from the heap to test the rest (2.5 times slower).
   */
  const streamed = where.length === LIVE_ITEMS.length + 1 ? prefixed : undefined
  const firstMatches = (columns: string) =>
    streamed
      ? `SELECT search_items.id, ${columns} FROM (${streamed.stream}) r JOIN search_items ON search_items.id = r.id
          WHERE ${LIVE_ITEMS.join(' AND ')} AND (r.in_title OR NOT (${streamed.titleMatches}))
          LIMIT ${countCap + 1}`
      : `SELECT id, ${columns} FROM search_items WHERE ${filters} LIMIT ${countCap + 1}`

  const sort = SORTS[q.sort]
  const key = sort.expr(tsq)
  // The tag facets of the first FACET_SAMPLE matches of `m` (one column, computed once per statement).
  const facetsOf = (m: string) => `coalesce((SELECT json_agg(f) FROM (
      SELECT tag, count(*)::int AS n FROM (SELECT tags FROM ${m} LIMIT ${FACET_SAMPLE}) sample, unnest(sample.tags) AS tag
       GROUP BY tag ORDER BY n DESC, tag COLLATE "C" LIMIT 10) f), '[]'::json)`
  const ranked = q.sort === 'relevance'
  let page: string
  if (ranked) {
    // Ranking reads every candidate's document: it ranks the matches the count reads (the first
    // countCap + 1 found), so a broad word costs what a narrow one does. Up to the cap that is
    // every match; past it, the best of those, as total_relation = gte tells. A first page counts
    // and samples the facets from the same candidates, in the same statement.
    const summary = q.after_key ? '' : `, (SELECT count(*)::int FROM m) AS summary_n, ${facetsOf('m')} AS summary_facets`
    const rankedKeyset = q.after_key ? ` WHERE (sort_key, id) < (${p(q.after_key.k)}::float8, ${p(q.after_key.i)}::uuid)` : ''
    page = `
      WITH m AS MATERIALIZED (${firstMatches(`tags, ${key} AS sort_key`)})
      SELECT ${hitColumns('s.')}, top.sort_key, top.sort_key::text AS sort_key_text,
             ts_headline('catalog_text', s.description, ${tsq}, ${p(headlineOptions(marks))}) AS snippet${summary}
        FROM (SELECT id, sort_key FROM m${rankedKeyset} ORDER BY sort_key DESC, id DESC LIMIT ${q.limit + 1}) top
        JOIN search_items s ON s.id = top.id AND s.tenant = $1
       ORDER BY top.sort_key DESC, top.id DESC`
  } else {
    const keyset = q.after_key
      ? ` AND (${key}, id) ${sort.dir === 'DESC' ? '<' : '>'} (${p(q.after_key.k)}::${sort.cast}, ${p(q.after_key.i)}::uuid)`
      : ''
    const snippet = q.q
      ? `ts_headline('catalog_text', page.description, ${tsq}, ${p(headlineOptions(marks))})`
      : 'left(page.description, 200)'
    // The inner query picks the page; only its rows pay for a highlighted snippet.
    page = `
      SELECT page.*, ${snippet} AS snippet FROM (
        SELECT ${hitColumns()}, description, ${key} AS sort_key, (${key})::text AS sort_key_text
          FROM search_items
         WHERE ${filters}${keyset}
         ORDER BY ${key} ${sort.dir}, id ${sort.dir}
         LIMIT ${q.limit + 1}
      ) page
      ORDER BY page.sort_key ${sort.dir}, page.id ${sort.dir}`
  }
  let pageFromMatches: SearchSql['pageFromMatches']
  // A later page of a streamed pattern whose first page counted few matches finds them the same
  // way and pages through them; any other later page walks its sort's order.
  const streamedPage =
    q.after_key !== undefined &&
    streamed !== undefined &&
    (q.after_key.n ?? Number.POSITIVE_INFINITY) <= Math.min(countCap, STREAMED_LATER_PAGES_UP_TO)
  if (!ranked && ((!q.after_key && !countableInIndex(q)) || streamedPage)) {
    const fromMatches = params(filterValues)
    const fromKeyset = q.after_key
      ? ` AND (sort_key, id) ${sort.dir === 'DESC' ? '<' : '>'} (${fromMatches.p(q.after_key.k)}::${sort.cast}, ${fromMatches.p(q.after_key.i)}::uuid)`
      : ''
    const snippet = q.q
      ? `ts_headline('catalog_text', s.description, ${tsq}, ${fromMatches.p(headlineOptions(marks))})`
      : 'left(s.description, 200)'
    pageFromMatches = {
      text: `
      WITH m AS MATERIALIZED (${firstMatches(`tags, ${key} AS sort_key`)}),
           c AS (SELECT count(*)::int AS n FROM m)
      SELECT top.*, c.n AS summary_n, ${q.after_key ? "'[]'::json" : facetsOf('m')} AS summary_facets
        FROM c LEFT JOIN LATERAL (
          SELECT ${hitColumns('s.')}, t.sort_key, t.sort_key::text AS sort_key_text, ${snippet} AS snippet
            FROM (SELECT id, sort_key FROM m WHERE c.n <= ${countCap}${fromKeyset} ORDER BY sort_key ${sort.dir}, id ${sort.dir} LIMIT ${q.limit + 1}) t
            JOIN search_items s ON s.id = t.id AND s.tenant = $1
        ) top ON true
       ORDER BY top.sort_key ${sort.dir}, top.id ${sort.dir}`,
      values: fromMatches.values,
    }
  }
  return {
    page: { text: page, values },
    pageFromMatches,
    matchesAsBitmaps: streamed === undefined,
    counted: countedSql(
      q,
      `SELECT tags, attributes, price_amount_minor FROM search_items WHERE ${filters} LIMIT ${countCap + 1}`,
      filterValues,
    ),
    summary: { text: summaryText(q, filters, countCap, facetsOf), values: filterValues },
    summaryInPage: ranked,
    countCap,
    marks,
  }
}
