import t from 'tap'
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
