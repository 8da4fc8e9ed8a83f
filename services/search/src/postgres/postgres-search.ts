import type { Pool, PoolClient } from '@catalog/kit'
import { encodeCursor, withTransaction } from '@catalog/kit'
import type { JsonObject, search } from '@catalog/proto'
import { jsonToStruct, toTimestamp } from '@catalog/proto'
import { invalid, patternNeedsScan, tooSlow } from '../errors.ts'
import type { FacetCounts } from '../query/facet-results.ts'
import { facetsResponse, histogramResponse, topTags } from '../query/facet-results.ts'
import type { SearchQuery } from '../query/query-rules.ts'
import { snippetHtml } from '../query/snippet.ts'
import type { SearchSql } from './search-sql.ts'
import { searchSql } from './search-sql.ts'

interface HitRow {
  id: string
  source: string
  external_id: string
  title: string
  tags: string[]
  attributes: JsonObject
  price_amount_minor: string | null
  price_currency: string | null
  published_at: Date | null
  version: string
  sort_key: number | string | Date
  sort_key_text: string
  snippet: string
  summary_n?: number
  summary_facets?: Summary['facets']
}

interface Summary {
  n: number
  facets: { tag: string; n: number }[]
}

/** The top tags of a page, counted the way the summary query counts them (`ORDER BY n DESC, tag COLLATE "C"`: bytes). */
const tagCounts = (rows: HitRow[]): Summary['facets'] =>
  topTags(
    rows.map((r) => r.tags),
    (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)),
  )

const pgCode = (err: unknown) => (err as { code?: string }).code ?? ''

export interface PostgresSearchOptions {
  statementTimeoutMs: number
  /** Matches counted exactly; past it the total is a lower bound (`gte`). */
  countCap: number
  /** A pattern the index cannot narrow is refused in a tenant with more items than this. */
  patternScanMaxItems: number
}

/**
 * Postgres is the judge of its own regular expressions: asked before the search, under its timeout.
 * A pattern whose compiled form is too large fails an allocation (XX000) instead of 2201B: that
 * too is the client's pattern, not a fault of the service.
 */
async function checkPattern(c: PoolClient, pattern: string) {
  await c.query("SELECT '' ~ $1", [pattern]).catch((err: unknown) => {
    if (pgCode(err) === '2201B') throw invalid([{ field: 'pattern', description: 'is not a valid POSIX regular expression' }])
    if (pgCode(err) === 'XX000' && /memory alloc/.test((err as Error).message))
      throw invalid([{ field: 'pattern', description: 'is too complex to compile' }])
    throw err
  })
}

/** Whether the tenant holds more than `maxItems` items, read no further than one past it. */
async function checkScan(c: PoolClient, tenant: string, maxItems: number) {
  const { rows } = await c.query<{ n: number }>({
    name: 'search.tenant-size',
    text: 'SELECT count(*)::int AS n FROM (SELECT 1 FROM search_items WHERE tenant = $1 AND NOT deleted LIMIT $2) t',
    values: [tenant, maxItems + 1],
  })
  if ((rows[0]?.n ?? 0) > maxItems) throw patternNeedsScan(maxItems)
}

/**
 * The statements of a search, in a transaction: the page's rows and, on a first page, the count
 * and tag facets. Also the bench's direct-SQL baseline, so both run the same statements.
 */
/** What a later page carries of the whole result: nothing (the first page gave the totals and facets). */
const NO_SUMMARY: Summary = { n: 0, facets: [] }

export async function pageAndSummary(
  c: PoolClient,
  sql: SearchSql,
  query: SearchQuery,
): Promise<{ rows: HitRow[]; summary: Summary }> {
  if (sql.pageFromMatches) {
    // The matches are a set, in no order: bitmap scans, which AND a tag's GIN entries with a price
    // range's and read each heap page once. Under LIMIT the planner prefers walking a sort index
    // and fetching every row in the range to test its tags (151,000 rows for 10,000 matches of a
    // common tag at a million items).
    // A pattern's prefix ranges are index-only scans, which the setting turns off too: they find
    // the few matches themselves, and the rest of the statement starts from them.
    if (sql.matchesAsBitmaps) await c.query('SET LOCAL enable_indexscan = off')
    const found = (await c.query<HitRow>(sql.pageFromMatches.text, sql.pageFromMatches.values)).rows
    if (sql.matchesAsBitmaps) await c.query('SET LOCAL enable_indexscan = DEFAULT')
    const summary = { n: found[0]?.summary_n ?? 0, facets: found[0]?.summary_facets ?? [] }
    if (summary.n <= sql.countCap)
      return { rows: found.filter((r) => r.id !== null), summary: query.after_key ? NO_SUMMARY : summary }
    return { rows: (await c.query<HitRow>(sql.page.text, sql.page.values)).rows, summary }
  }
  const { rows } = await c.query<HitRow>(sql.page.text, sql.page.values)
  // Totals and facets describe the whole result: the first page computes them, later pages need not.
  if (query.after_key) return { rows, summary: NO_SUMMARY }
  // A first page that holds every match has counted them, and has their tags, already.
  if (rows.length <= query.limit) return { rows, summary: { n: rows.length, facets: tagCounts(rows) } }
  if (sql.summaryInPage) return { rows, summary: { n: rows[0]?.summary_n ?? 0, facets: rows[0]?.summary_facets ?? [] } }
  const { rows: summary } = await c.query<Summary>(sql.summary.text, sql.summary.values)
  return { rows, summary: summary[0] ?? NO_SUMMARY }
}

export async function runSearch(
  pool: Pool,
  tenant: string,
  query: SearchQuery,
  options: PostgresSearchOptions,
): Promise<search.SearchResponse> {
  const { statementTimeoutMs, countCap } = options
  const plan = query.patternPlan
  const sql = searchSql(tenant, query, { countCap })
  try {
    return await withTransaction(pool, async (c) => {
      await c.query(`SET LOCAL statement_timeout = ${Math.floor(statementTimeoutMs)}`)
      // Compiling a pattern can cost as much as running it: it gets the same bound.
      if (query.pattern) await checkPattern(c, query.pattern)
      if (plan && !plan.narrowed && !query.q) await checkScan(c, tenant, options.patternScanMaxItems)
      const first = !query.after_key
      const { rows, summary } = await pageAndSummary(c, sql, query)
      const page = rows.slice(0, query.limit)
      const last = page.at(-1)
      // Counting every match of a broad query costs more than the page: the count stops one past
      // the cap, and says the total is at least the cap.
      const counted = sql.counted
        ? (await c.query<Record<string, unknown>>(sql.counted.text, sql.counted.values)).rows[0]
        : undefined
      const exact = summary.n <= countCap
      const facets = summary.facets
      // The exact total travels in the cursor: later pages of a few matches find them again as the
      // first page did (searchSql), instead of checking every candidate in the heap.
      const total = first ? (exact ? summary.n : undefined) : query.after_key?.n
      return {
        hits: page.map((r) => ({
          item_id: r.id,
          title: r.title,
          snippet: snippetHtml(r.snippet, sql.marks),
          tags: r.tags,
          price: r.price_amount_minor === null ? null : { amount_minor: r.price_amount_minor, currency: r.price_currency ?? '' },
          published_at: r.published_at ? toTimestamp(r.published_at) : null,
          score: query.sort === 'relevance' ? Number(r.sort_key) : 0,
          version: r.version,
          source: r.source,
          external_id: r.external_id,
          attributes: jsonToStruct(r.attributes),
        })),
        next_cursor:
          rows.length > query.limit && last
            ? encodeCursor({ s: query.sort, k: last.sort_key_text, i: last.id, ...(total === undefined ? {} : { n: total }) })
            : '',
        estimated_total: String(first ? Math.min(summary.n, countCap) : 0),
        total_is_exact: first && exact,
        total_relation: !first ? 'TOTAL_RELATION_UNSPECIFIED' : exact ? 'TOTAL_RELATION_EQ' : 'TOTAL_RELATION_GTE',
        tag_facets: facets.map((f) => ({ tag: f.tag, count: String(f.n) })),
        facets: counted
          ? facetsResponse(
              query,
              query.facets.map((_, i) => (counted[`f${i}`] ?? []) as FacetCounts),
            )
          : [],
        ...histogramResponse(counted ? ((counted.prices ?? []) as { from: string; n: number }[]) : []),
      }
    })
  } catch (err) {
    if (pgCode(err) === '57014')
      throw tooSlow(
        query.pattern ? 'pattern' : query.contains ? 'contains' : query.attributeRanges.length > 0 ? 'attribute_ranges' : 'q',
        statementTimeoutMs,
      )
    // A cursor whose key does not parse as its sort's type was not one of ours.
    if (pgCode(err).startsWith('22') && query.after_key)
      throw invalid([{ field: 'cursor', description: 'is not a cursor this server issued' }])
    // Any other data error comes from a value of the request the checks let through: still the
    // client's, never a 500.
    if (pgCode(err).startsWith('22')) {
      const field = query.pattern ? 'pattern' : query.contains ? 'contains' : query.attributes ? 'attributes' : 'q'
      throw invalid([{ field, description: 'holds a value the index cannot search' }])
    }
    throw err
  }
}
