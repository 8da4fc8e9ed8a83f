import type { SearchQuery, Sort } from './query-rules.ts'
import type { SnippetMarks } from './snippet.ts'
import { headlineOptions, snippetMarks } from './snippet.ts'

/** A search as parameterised SQL: every user value travels as a parameter, never as SQL text. */
export interface SearchSql {
  page: { text: string; values: unknown[] }
  /** The count (up to the cap) and the tag facets of the same sample, from one scan of the matches. */
  summary: { text: string; values: unknown[] }
  estimate: { text: string; values: unknown[] }
  /** The sentinels around matches in the page's raw snippets, for snippetHtml. */
  marks: SnippetMarks
}

/** Matches counted exactly, and sampled for the tag facets; past it the planner estimates the total. */
export const COUNT_CAP = 1_000

const PUBLISHED = `coalesce(published_at, '-infinity'::timestamptz)`

const SORTS: Record<Sort, { expr: (tsq: string) => string; dir: 'ASC' | 'DESC'; cast: string }> = {
  relevance: { expr: (tsq) => `ts_rank(document, ${tsq})::float8`, dir: 'DESC', cast: 'float8' },
  newest: { expr: () => PUBLISHED, dir: 'DESC', cast: 'timestamptz' },
  // Items without a price come last either way.
  price_asc: { expr: () => 'coalesce(price_amount_minor, 9223372036854775807)', dir: 'ASC', cast: 'bigint' },
  price_desc: { expr: () => 'coalesce(price_amount_minor, -1)', dir: 'DESC', cast: 'bigint' },
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export function searchSql(tenant: string, q: SearchQuery, marks: SnippetMarks = snippetMarks()): SearchSql {
  const values: unknown[] = [tenant]
  const p = (v: unknown) => {
    values.push(v)
    return `$${values.length}`
  }
  const where = ['tenant = $1', 'NOT deleted']
  const tsq = q.q ? `websearch_to_tsquery('catalog_text', ${p(q.q)})` : 'NULL::tsquery'
  if (q.q) where.push(`document @@ ${tsq}`)
  if (q.contains) {
    const like = p(`%${escapeLike(q.contains)}%`)
    where.push(`(title ILIKE ${like} OR description ILIKE ${like})`)
  }
  if (q.pattern) {
    const re = p(q.pattern)
    where.push(`(title ~ ${re} OR description ~ ${re})`)
  }
  // Written on the same expression as the newest-first index, so a window is a range scan of it.
  if (q.after || q.before) where.push('published_at IS NOT NULL')
  if (q.after) where.push(`${PUBLISHED} >= ${p(q.after)}`)
  if (q.before) where.push(`${PUBLISHED} < ${p(q.before)}`)
  if (q.tags.length > 0) where.push(`tags @> ${p(q.tags)}::text[]`)
  if (q.minPrice !== undefined) where.push(`price_amount_minor >= ${p(q.minPrice)}::bigint`)
  if (q.maxPrice !== undefined) where.push(`price_amount_minor <= ${p(q.maxPrice)}::bigint`)
  if (q.currency) where.push(`price_currency = ${p(q.currency)}`)
  const filters = where.join(' AND ')
  const filterValues = [...values]

  const sort = SORTS[q.sort]
  const key = sort.expr(tsq)
  const keyset = q.after_key
    ? ` AND (${key}, id) ${sort.dir === 'DESC' ? '<' : '>'} (${p(q.after_key.k)}::${sort.cast}, ${p(q.after_key.i)}::uuid)`
    : ''
  const snippet = q.q
    ? `ts_headline('catalog_text', page.description, ${tsq}, ${p(headlineOptions(marks))})`
    : 'left(page.description, 200)'
  // The inner query picks the page; only its rows pay for a highlighted snippet.
  const page = `
    SELECT page.*, ${snippet} AS snippet FROM (
      SELECT id, title, description, tags, price_amount_minor, price_currency, published_at, version,
             ${key} AS sort_key, (${key})::text AS sort_key_text
        FROM search_items
       WHERE ${filters}${keyset}
       ORDER BY ${key} ${sort.dir}, id ${sort.dir}
       LIMIT ${q.limit + 1}
    ) page
    ORDER BY page.sort_key ${sort.dir}, page.id ${sort.dir}`
  return {
    page: { text: page, values },
    // A broad substring or regex makes finding the matches the expensive part: find them once.
    summary: {
      text: `WITH m AS MATERIALIZED (SELECT tags FROM search_items WHERE ${filters} LIMIT ${COUNT_CAP + 1})
             SELECT (SELECT count(*)::int FROM m) AS n,
                    coalesce((SELECT json_agg(f) FROM (
                      SELECT tag, count(*)::int AS n FROM m, unnest(m.tags) AS tag
                       GROUP BY tag ORDER BY n DESC, tag LIMIT 10) f), '[]'::json) AS facets`,
      values: filterValues,
    },
    estimate: { text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM search_items WHERE ${filters}`, values: filterValues },
    marks,
  }
}
