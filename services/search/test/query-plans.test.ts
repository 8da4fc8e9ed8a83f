import t from 'tap'
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
     SELECT gen_random_uuid(), 'acme', 1, 'Lamp ' || i, ARRAY['t' || (i % 7)], i * 100, 'EUR', '2020-01-01'::timestamptz + i * interval '1 hour'
       FROM generate_series(1, 3000) i`,
  )
  // The visibility map, as autovacuum sets it: without it an index-only scan still reads the heap.
  await s.pool.query('VACUUM (ANALYZE) search_items')
  const plan = async (request: Parameters<typeof checkRequest>[0]) => {
    const sql = searchSql('acme', checkRequest(request))
    const c = await s.pool.connect()
    try {
      await c.query('BEGIN')
      await c.query('SET LOCAL enable_seqscan = off')
      await c.query('SET LOCAL enable_bitmapscan = off')
      const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.summary.text}`, sql.summary.values)
      await c.query('ROLLBACK')
      return rows.map((r) => r['QUERY PLAN']).join('\n')
    } finally {
      c.release()
    }
  }
  const window = { published_after: day('2020-02-01T00:00:00Z'), published_before: day('2020-03-01T00:00:00Z') }
  t.match(await plan(window), /Index Only Scan using search_items_newest/, 'a date window')
  t.match(
    await plan({ min_price_minor: '1000', max_price_minor: '20000', currency: 'EUR', sort: 'SORT_ORDER_PRICE_ASC' }),
    /Index Only Scan using search_items_price_asc/,
    'a price range in a currency',
  )
  t.match(
    await plan({ max_price_minor: '20000', sort: 'SORT_ORDER_PRICE_DESC' }),
    /Index Only Scan using search_items_price_desc/,
    'the descending order',
  )
  t.match(await plan({}), /Index Only Scan/, 'a tenant browsed newest first')
  t.notMatch(await plan({ ...window, tags: ['t1'] }), /Index Only Scan/, 'tags are not in those indexes: read from the rows')

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
