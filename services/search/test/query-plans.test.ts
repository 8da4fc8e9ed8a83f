import type { PoolClient } from '@catalog/kit'
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
     SELECT gen_random_uuid(), 'acme', 1, 'Lamp ' || i, ARRAY['t' || (i % 50)], i * 100, 'EUR', '2020-01-01'::timestamptz + i * interval '1 hour'
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
  // Tags with a price range, in price order: the service finds the matches as a set (bitmap scans,
  // the tag's GIN entries and the price range's), where the planner would walk the price index and
  // test each row's tags. Its statements are run here as EXPLAINs, under the settings it applies.
  const c = await s.pool.connect()
  let tagged = ''
  try {
    await c.query('BEGIN')
    await c.query('SET LOCAL enable_seqscan = off')
    const explaining = {
      query: (text: string, values?: unknown[]) => (text.startsWith('SET') ? c.query(text) : c.query(`EXPLAIN ${text}`, values)),
    } as unknown as PoolClient
    const request = {
      tags: ['t1'],
      min_price_minor: '1000',
      max_price_minor: '300000',
      currency: 'EUR',
      sort: 'SORT_ORDER_PRICE_ASC' as const,
    }
    const query = checkRequest(request)
    const { rows } = await pageAndSummary(explaining, searchSql('acme', query), query)
    tagged = rows.map((r) => (r as unknown as Record<string, string>)['QUERY PLAN']).join('\n')
    await c.query('ROLLBACK')
  } finally {
    c.release()
  }
  t.match(tagged, /CTE m\n.*\n *-> *Bitmap Heap Scan on search_items/, 'the matches found by a bitmap scan')
  t.notMatch(tagged, /Index Scan using search_items_price/, 'no walk of the price index testing each row')

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
