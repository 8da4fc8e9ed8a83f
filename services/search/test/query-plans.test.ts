import { encodeCursor } from '@catalog/kit'
import t from 'tap'
import { pageAndSummary } from '../src/postgres/postgres-search.ts'
import { searchSql } from '../src/postgres/search-sql.ts'
import { checkRequest } from '../src/query/query-rules.ts'
import { startSearch } from './helpers/search.ts'

/*
 * The plans PostgreSQL gives the first page's count: where the sort indexes answer every filter,
 * an index-only scan. Plans depend on the planner's costs, which favour a sequential scan of a
 * table this small: these checks turn sequential and bitmap scans off and ask which index scan
 * is left, an index-only one (the index holds every column the count reads) or not.
 */

const day = (iso: string) => ({ seconds: String(Date.parse(iso) / 1000), nanos: 0 })

t.test('a date window or a price range is counted from index entries alone', async (t) => {
  const s = await startSearch(t)
  await s.pool.query(
    `INSERT INTO search_items (id, tenant, version, title, tags, price_amount_minor, price_currency, published_at)
     SELECT gen_random_uuid(), 'acme', 1, 'Lamp ' || i, ARRAY['t' || (i % 50), 'all'], i * 100, 'EUR', '2020-01-01'::timestamptz + i * interval '1 hour'
       FROM generate_series(1, 3000) i`,
  )
  // The visibility map, as autovacuum sets it: without it an index-only scan still reads the heap.
  await s.pool.query('VACUUM (ANALYZE) search_items')
  const plan = async (request: Parameters<typeof checkRequest>[0]) => {
    const sql = searchSql('acme', checkRequest(request))
    const statement = sql.pageFromMatches ?? sql.summary
    const settings = ['enable_bitmapscan = off']
    const c = await s.pool.connect()
    try {
      await c.query('BEGIN')
      for (const setting of ['enable_seqscan = off', ...settings]) await c.query(`SET LOCAL ${setting}`)
      const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.values)
      await c.query('ROLLBACK')
      return rows.map((r) => r['QUERY PLAN']).join('\n')
    } finally {
      c.release()
    }
  }
  const window = { published_after: day('2020-02-01T00:00:00Z'), published_before: day('2020-03-01T00:00:00Z') }
  t.match(await plan(window), /Index Only Scan using search_items_newest_covering/, 'a date window')
  t.match(
    await plan({ min_price_minor: '1000', max_price_minor: '20000', currency: 'EUR', sort: 'SORT_ORDER_PRICE_ASC' }),
    /Index Only Scan using search_items_price_asc_covering/,
    'a price range in a currency',
  )
  t.match(
    await plan({ max_price_minor: '20000', sort: 'SORT_ORDER_PRICE_DESC' }),
    /Index Only Scan using search_items_price_desc_covering/,
    'the descending order',
  )
  // One tag with a price range in a currency, in price order, and one tag newest first: the page
  // walks the tag rows' btree in the sort's order and stops at the page (no sort of the matches),
  // and the count reads index entries alone.
  await s.pool.query('VACUUM (ANALYZE) search_item_tags')
  const tagged = { tags: ['all'], min_price_minor: '1000', max_price_minor: '300000', currency: 'EUR' }
  for (const [request, index] of [
    [{ ...tagged, sort: 'SORT_ORDER_PRICE_ASC' }, 'search_item_tags_price'],
    [{ ...tagged, sort: 'SORT_ORDER_PRICE_DESC' }, 'search_item_tags_price'],
    [{ tags: ['all'], ...window, sort: 'SORT_ORDER_NEWEST' }, 'search_item_tags_newest'],
  ] as [Parameters<typeof checkRequest>[0], string][]) {
    const sql = searchSql('acme', checkRequest(request))
    const c = await s.pool.connect()
    try {
      await c.query('BEGIN')
      for (const setting of ['enable_seqscan = off', 'enable_bitmapscan = off']) await c.query(`SET LOCAL ${setting}`)
      const explain = async (statement: { text: string; values: unknown[] }) =>
        (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.values)).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n')
      const page = await explain(sql.page)
      t.match(
        page,
        new RegExp(`Index (Only )?Scan (Backward )?using ${index} on search_item_tags`),
        `${request.sort}: the page walks ${index}`,
      )
      t.notMatch(page, /Sort Key/, `${request.sort}: no sort of the matches`)
      t.match(
        await explain(sql.summary),
        /Index Only Scan using search_item_tags_\w+ on search_item_tags/,
        `${request.sort}: an index-only count`,
      )
      await c.query('ROLLBACK')
    } finally {
      c.release()
    }
  }

  // And the counts are what the rows say.
  const total = async (request: Parameters<typeof checkRequest>[0]) =>
    Number((await s.client.call('Search', request, s.as('acme'))).estimated_total)
  t.equal(await total(window), 29 * 24)
  t.equal(await total({ min_price_minor: '1000', max_price_minor: '20000', currency: 'EUR' }), 191)
  t.equal(
    await total({ ...window, tags: ['t1'] }),
    (
      await s.pool.query(`SELECT count(*)::int AS n FROM search_items
     WHERE tenant = 'acme' AND 't1' = ANY(tags) AND published_at >= '2020-02-01' AND published_at < '2020-03-01'`)
    ).rows[0].n,
  )
})

t.test("a pattern's literal prefix: its first page checks the regex on index entries, reading only matches", async (t) => {
  const s = await startSearch(t)
  await s.pool.query(
    `INSERT INTO search_items (id, tenant, version, title, description, tags)
     SELECT gen_random_uuid(), 'acme', 1, 'Lamp ' || i, 'Lamp number ' || i || ', brass.', ARRAY['all']
       FROM generate_series(1, 3000) i`,
  )
  await s.pool.query('VACUUM (ANALYZE) search_items')
  const sql = searchSql('acme', checkRequest({ pattern: '^Lamp 1[0-9]$' }))
  const statement = sql.pageFromMatches
  t.ok(statement, 'a first page finds its matches once')
  t.equal(sql.matchesAsBitmaps, false, 'with index scans on')
  t.equal(
    searchSql('acme', checkRequest({ pattern: '^Lamp 1[0-9]$', tags: ['all'] })).matchesAsBitmaps,
    true,
    "beside another filter, bitmaps ANDed with the filter's own",
  )
  const c = await s.pool.connect()
  try {
    await c.query('BEGIN')
    for (const setting of ['enable_seqscan = off', 'enable_bitmapscan = off']) await c.query(`SET LOCAL ${setting}`)
    const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${statement?.text}`, statement?.values)
    await c.query('ROLLBACK')
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n')
    for (const index of ['search_items_title_prefix_covering', 'search_items_description_prefix_covering'])
      t.match(plan, new RegExp(`Index Only Scan using ${index}`), index)
    t.notMatch(plan, /Heap Fetches: [1-9]/, 'no entry checked in the heap')
  } finally {
    c.release()
  }
  t.equal((await s.client.call('Search', { pattern: '^Lamp 1[0-9]$' }, s.as('acme'))).estimated_total, '10')

  // Later pages: with the first page's exact total in the cursor they find the matches the same way
  // and page through them; a total that is wrong (a cursor made by hand) costs time, never a result.
  const after = (n?: number) => checkRequest({ pattern: '^Lamp 1', cursor: cursorAfter('2020-01-01T00:00:00Z', n), limit: 5 })
  t.ok(searchSql('acme', after(8)).pageFromMatches, 'a later page of a few matches streams them')
  t.notOk(searchSql('acme', after()).pageFromMatches, 'one of an unknown number walks its order')
  t.notOk(searchSql('acme', after(2_001)).pageFromMatches, 'and one of many')
  const ids = async (n: number | undefined, countCap: number) => {
    const query = after(n)
    const c = await s.pool.connect()
    try {
      await c.query('BEGIN')
      const { rows } = await pageAndSummary(c, searchSql('acme', query, { countCap }), query)
      await c.query('ROLLBACK')
      return rows.map((r) => r.id)
    } finally {
      c.release()
    }
  }
  const walked = await ids(undefined, 10_000)
  t.equal(walked.length, 6, 'a page and one past it')
  t.same(await ids(1_111, 10_000), walked, 'streamed: the same page')
  t.same(await ids(1, 5), walked, 'a total under a cap the matches exceed: the same page, walked after all')
})

/** A newest-first cursor past an item published at `at` (no item here has a date: all sort after it). */
const cursorAfter = (at: string, n?: number) =>
  encodeCursor({ s: 'newest', k: at, i: 'ffffffff-ffff-4fff-bfff-ffffffffffff', ...(n === undefined ? {} : { n }) })
