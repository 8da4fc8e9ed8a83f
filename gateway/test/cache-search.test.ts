// Search pages cached briefly per tenant and query, in front of the real search service.
import { pollUntil } from '@catalog/kit/testing'
import { startTestSearch, upserted } from '@catalog/search-service/testing'
import t from 'tap'
import { metric, startCachedGateway } from './helpers/cache.ts'
import { startCatalog } from './helpers/gateway.ts'

t.test('search cache', async (t) => {
  const { address } = await startCatalog(t)
  const search = await startTestSearch(t)
  await search.index(
    ...Array.from({ length: 5 }, (_, i) => upserted({ tenant: 'acme', title: `Brass lamp ${i}`, tags: ['home', 'light'] })),
    upserted({ tenant: 'other', title: 'Brass lamp of another tenant', tags: ['home', 'light'] }),
  )
  const env = { CACHE_ITEMS: 'false', SEARCH_ADDR: search.address, CACHE_SEARCH_TTL_MS: '60000' }
  const gw = await startCachedGateway(t, address, env, { waitLive: false })
  const acme = await gw.auth('acme', 'search:read')
  const get = (query: string, headers: Record<string, string> = acme) =>
    gw.app.inject({ method: 'GET', url: `/v1/search?${query}`, headers })
  const searches = async () =>
    metric(await gw.metrics(), 'gateway_upstream_duration_seconds_count', { backend: 'search', method: 'Search' })

  t.test('the same page again is a hit, however its query is spelt', async (t) => {
    const before = await searches()
    const first = await get('q=brass%20%20lamp&tags=light,home')
    t.equal(first.statusCode, 200)
    t.equal(first.headers['x-cache'], 'miss')
    t.equal(first.json<{ items: unknown[] }>().items.length, 5)
    const again = await get('tags=home,light&q=brass+lamp&limit=20')
    t.equal(again.headers['x-cache'], 'hit')
    t.equal(again.body, first.body)
    t.equal(await searches(), before + 1, 'one search for both')
  })

  t.test("another tenant's same query is its own search, with its own results", async (t) => {
    const other = await get('q=brass%20%20lamp&tags=light,home', await gw.auth('other', 'search:read'))
    t.equal(other.headers['x-cache'], 'miss')
    t.same(
      other.json<{ items: { title: string }[] }>().items.map((i) => i.title),
      ['Brass lamp of another tenant'],
    )
  })

  t.test('no-cache and patterns go to the search service every time', async (t) => {
    const before = await searches()
    for (let i = 0; i < 2; i++) {
      t.equal((await get('q=lamp', { ...acme, 'cache-control': 'no-cache' })).headers['x-cache'], 'bypass')
      const pattern = await get('pattern=^Brass')
      t.equal(pattern.statusCode, 200)
      t.equal(pattern.headers['x-cache'], 'bypass')
    }
    t.equal(await searches(), before + 4)
  })

  t.test('attribute filters, facets, histograms and typos each make their own page', async (t) => {
    const before = await searches()
    const queries = [
      'q=brass',
      'q=brass&attr.color=red',
      'q=brass&attr.color=blue',
      'q=brass&attr.year.gte=2010',
      'q=brass&attr.year.lte=2010',
      'q=brass&facets=tags',
      'q=brass&facets=tags&facet_size=3',
      'q=brass&currency=EUR',
      'q=brass&currency=EUR&price_histogram=100',
      'q=brasss&typo=true',
    ]
    for (const query of queries) {
      const res = await get(query)
      t.equal(res.statusCode, 200, query)
      t.equal(res.headers['x-cache'], 'miss', `${query}: not another query's page`)
    }
    t.equal((await get('attr.color=red&q=brass')).headers['x-cache'], 'hit', 'the same filters in another order')
    t.equal(await searches(), before + queries.length)
  })

  t.test('the same page asked many times at once costs one search', async (t) => {
    const before = await searches()
    const all = await Promise.all(Array.from({ length: 10 }, () => get('q=lamp&limit=2')))
    t.same(new Set(all.map((r) => r.statusCode)), new Set([200]))
    t.equal(await searches(), before + 1)
  })
})

t.test('a page lives its TTL, then shows what was indexed since', async (t) => {
  const { address } = await startCatalog(t)
  const search = await startTestSearch(t)
  await search.index(upserted({ tenant: 'acme', title: 'Copper kettle' }))
  const env = { CACHE_ITEMS: 'false', SEARCH_ADDR: search.address, CACHE_SEARCH_TTL_MS: '300' }
  const gw = await startCachedGateway(t, address, env, { waitLive: false })
  const acme = await gw.auth('acme', 'search:read')
  const titles = async () =>
    (await gw.app.inject({ method: 'GET', url: '/v1/search?q=kettle', headers: acme }))
      .json<{ items: { title: string }[] }>()
      .items.map((i) => i.title)
      .sort()
  t.same(await titles(), ['Copper kettle'])
  await search.index(upserted({ tenant: 'acme', title: 'Steel kettle' }))
  t.same(await pollUntil(titles, (seen) => seen.length === 2), ['Copper kettle', 'Steel kettle'])
})
