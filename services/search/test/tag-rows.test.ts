import { encodeCursor } from '@catalog/kit'
import t from 'tap'
import { pageAndSummary } from '../src/postgres/postgres-search.ts'
import { searchSql } from '../src/postgres/search-sql.ts'
import { checkRequest } from '../src/query/query-rules.ts'
import { deleted, startSearch, upserted } from './helpers/search.ts'

/*
 * search_item_tags holds a row per tag of each live item, written by triggers on search_items.
 * Whatever writes the items (the indexer's batches, a bulk INSERT, a DELETE), the rows must be
 * exactly those the items say, or a tag's page and count would disagree with its items.
 */

t.test('the tag rows follow every write of the items they describe', async (t) => {
  const s = await startSearch(t)
  const expected = async () =>
    (
      await s.pool.query<{ row: string }>(
        `SELECT DISTINCT concat_ws('|', id, tag, tenant, price_amount_minor, price_currency, published_at) AS row
           FROM search_items, unnest(tags) AS tag WHERE NOT deleted ORDER BY 1`,
      )
    ).rows.map((r) => r.row)
  const held = async () =>
    (
      await s.pool.query<{ row: string }>(
        `SELECT concat_ws('|', id, tag, tenant, price_amount_minor, price_currency, published_at) AS row
           FROM search_item_tags ORDER BY 1`,
      )
    ).rows.map((r) => r.row)
  const agree = async (what: string) => {
    const want = await expected()
    t.same(await held(), want, what)
    return want.length
  }

  const lamp = upserted({ title: 'Lamp', tags: ['home', 'light'], price: { amount_minor: 1200, currency: 'EUR' } })
  const chair = upserted({ title: 'Chair', tags: ['home'], published_at: '2024-01-02T00:00:00Z' })
  const other = upserted({ tenant: 'other', title: 'Lamp', tags: ['home'] })
  await s.index(lamp, chair, other)
  t.equal(await agree('inserted by a batch'), 4)

  await s.index(
    upserted({ id: lamp.id, version: 2, title: 'Lamp', tags: ['light', 'sale'], price: { amount_minor: 900, currency: 'EUR' } }),
  )
  await agree('tags and price changed')
  await s.index(upserted({ id: chair.id, version: 2, title: 'Armchair', tags: ['home'], published_at: '2024-01-02T00:00:00Z' }))
  await agree('only the title changed')
  await s.index(deleted(lamp.id, 3))
  t.equal(await agree('deleted: a tombstone has no tag rows'), 2)
  await s.index(upserted({ id: lamp.id, version: 4, title: 'Lamp', tags: ['home', 'home'] }))
  t.equal(await agree('revived, a repeated tag once'), 3)

  await s.pool.query(
    `INSERT INTO search_items (id, tenant, version, title, tags, price_amount_minor, price_currency)
     SELECT gen_random_uuid(), 'acme', 1, 'Bulk ' || i, ARRAY['bulk', 't' || (i % 3)], i, 'USD' FROM generate_series(1, 50) i`,
  )
  t.equal(await agree('a bulk insert'), 103)
  await s.pool.query(`UPDATE search_items SET published_at = '2025-05-05' WHERE title LIKE 'Bulk %'`)
  await agree('a bulk update')
  await s.pool.query(`DELETE FROM search_items WHERE tenant = 'other'`)
  t.equal(await agree('rows deleted outright'), 102)

  // And a tag's search, answered from these rows, finds what the items hold.
  const acme = s.as('acme')
  const page = await s.client.call('Search', { tags: ['home'], sort: 'SORT_ORDER_NEWEST' }, acme)
  t.same(
    page.hits.map((h) => h.title),
    ['Armchair', 'Lamp'],
    'the tag newest first, undated last',
  )
  t.equal(page.estimated_total, '2')
  const dearest = {
    tags: ['t1'],
    currency: 'USD',
    min_price_minor: '10',
    max_price_minor: '20',
    sort: 'SORT_ORDER_PRICE_DESC' as const,
    limit: 2,
  }
  const usd = await s.client.call('Search', dearest, acme)
  t.same(
    usd.hits.map((h) => h.price?.amount_minor),
    ['19', '16'],
    'a tag in a currency, dearest first within the range',
  )
  t.equal(usd.estimated_total, '4', 'counted: 10, 13, 16 and 19')
  t.same(
    usd.tag_facets.map((f) => [f.tag, f.count]),
    [
      ['bulk', '4'],
      ['t1', '4'],
    ],
  )
  const next = await s.client.call('Search', { ...dearest, cursor: usd.next_cursor }, acme)
  t.same(
    next.hits.map((h) => h.price?.amount_minor),
    ['13', '10'],
    'the next page goes on from the cursor',
  )
  t.equal(next.next_cursor, '', 'and is the last')
})

t.test("a tag's search answers from the tag rows exactly what the items' own indexes answer", async (t) => {
  const s = await startSearch(t)
  // Ties on the date and on the price across page boundaries, undated and unpriced items, two
  // currencies, and another tenant with the same tags.
  const specs = Array.from({ length: 90 }, (_, i) => ({
    tenant: i % 10 === 9 ? 'other' : 'acme',
    title: `Item ${i}`,
    tags: [i % 3 ? 'lamp' : 'desk', ...(i % 4 ? ['sale'] : [])],
    price: i % 7 === 0 ? null : { amount_minor: (i % 5) * 100, currency: i % 2 ? 'EUR' : 'USD' },
    ...(i % 6 === 0 ? {} : { published_at: `2024-0${1 + (i % 3)}-01T00:00:00Z` }),
  }))
  await s.index(...specs.map((spec) => upserted(spec)))
  const day = (iso: string) => ({ seconds: String(Date.parse(iso) / 1000), nanos: 0 })
  const requests: Parameters<typeof checkRequest>[0][] = [
    { tags: ['lamp'], sort: 'SORT_ORDER_NEWEST' },
    { tags: ['lamp'], published_after: day('2024-02-01T00:00:00Z'), sort: 'SORT_ORDER_NEWEST' },
    { tags: ['sale'], min_price_minor: '100', max_price_minor: '300', sort: 'SORT_ORDER_NEWEST' },
    { tags: ['lamp'], currency: 'EUR', sort: 'SORT_ORDER_PRICE_ASC' },
    { tags: ['sale'], currency: 'USD', sort: 'SORT_ORDER_PRICE_DESC' },
    { tags: ['lamp'], currency: 'EUR', min_price_minor: '100', max_price_minor: '300', sort: 'SORT_ORDER_PRICE_DESC' },
    { tags: ['desk'], currency: 'USD', sort: 'SORT_ORDER_PRICE_ASC' },
    { tags: ['lamp'], currency: 'EUR', published_before: day('2024-03-01T00:00:00Z'), sort: 'SORT_ORDER_PRICE_ASC' },
  ]
  const walk = async (request: Parameters<typeof checkRequest>[0], tagRows: boolean) => {
    const pages: unknown[] = []
    let cursor = ''
    do {
      const query = checkRequest({ ...request, limit: 4, cursor })
      const sql = searchSql('acme', query, { tagRows })
      const c = await s.pool.connect()
      try {
        await c.query('BEGIN')
        const { rows, summary } = await pageAndSummary(c, sql, query)
        await c.query('COMMIT')
        const page = rows.slice(0, query.limit)
        pages.push({ ids: page.map((r) => [r.id, r.sort_key_text]), summary: cursor ? undefined : summary })
        const last = page.at(-1)
        cursor = rows.length > query.limit && last ? encodeCursor({ s: query.sort, k: last.sort_key_text, i: last.id }) : ''
      } finally {
        c.release()
      }
    } while (cursor)
    return pages
  }
  for (const request of requests) {
    t.ok(searchSql('acme', checkRequest(request)).summary.text.includes('search_item_tags'), 'answered from the tag rows')
    const fast = await walk(request, true)
    t.ok(fast.length > 1, `several pages: ${JSON.stringify(request)}`)
    t.same(fast, await walk(request, false), JSON.stringify(request))
  }
})
