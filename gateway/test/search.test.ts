import { startTestSearch, upserted } from '@catalog/search-service/testing'
import t from 'tap'
import { startCatalog, startGateway } from './helpers/gateway.ts'

t.test('GET /v1/search through the real search service', async (t) => {
  const { address } = await startCatalog(t)
  const search = await startTestSearch(t)
  await search.index(
    ...Array.from({ length: 7 }, (_, i) =>
      upserted({
        tenant: 'acme',
        title: `Brass lamp ${i}`,
        description: 'A warm light for a desk.',
        tags: i % 2 ? ['home', 'light'] : ['home'],
        price: { amount_minor: 1000 + i, currency: 'EUR' },
        published_at: new Date(Date.UTC(2026, 0, i + 1)).toISOString(),
        source: i < 5 ? 'shop' : 'market',
        external_id: `sku-${i}`,
        attributes: { n: i, finish: i % 2 ? 'matte' : 'gloss' },
      }),
    ),
    upserted({ tenant: 'other', title: 'Brass lamp of another tenant' }),
  )
  const gw = await startGateway(t, address, { SEARCH_ADDR: search.address })
  const acme = await gw.auth('acme', 'search:read')
  const get = (query: string, headers: Record<string, string> = acme) =>
    gw.app.inject({ method: 'GET', url: `/v1/search?${query}`, headers })

  const first = await get('q=brass&limit=3&tags=home')
  t.equal(first.statusCode, 200, first.body)
  const body = first.json()
  t.equal(body.items.length, 3)
  t.equal(body.estimated_total, 7)
  t.equal(body.total_is_exact, true)
  t.equal(body.total_relation, 'eq')
  t.same(body.facets.tags[0], { tag: 'home', count: 7 })
  t.match(body.items[0].snippet, /warm light/)

  const seen = new Set<string>(body.items.map((i: { id: string }) => i.id))
  let cursor = body.next_cursor
  while (cursor) {
    const page = (await get(`q=brass&limit=3&tags=home&cursor=${encodeURIComponent(cursor)}`)).json()
    for (const item of page.items) seen.add(item.id)
    cursor = page.next_cursor
  }
  t.equal(seen.size, 7, 'cursor pages cover every match once, and only this tenant')

  const cheap = (await get('sort=price_asc&limit=2&min_price=1002&currency=EUR')).json()
  t.same(
    cheap.items.map((i: { price: { amount_minor: number } }) => i.price.amount_minor),
    [1002, 1003],
  )
  const window = (await get('after=2026-01-03T00:00:00Z&before=2026-01-05T00:00:00Z')).json()
  t.same(
    window.items.map((i: { title: string }) => i.title),
    ['Brass lamp 3', 'Brass lamp 2'],
  )
  const byAttribute = (await get(`attributes=${encodeURIComponent('{"n":3}')}`)).json()
  t.same(
    byAttribute.items.map((i: { title: string; source: string; external_id: string; attributes: object }) => [
      i.title,
      i.source,
      i.external_id,
      i.attributes,
    ]),
    [['Brass lamp 3', 'shop', 'sku-3', { n: 3, finish: 'matte' }]],
    'hits carry the natural key and attributes',
  )
  t.equal((await get('source=market')).json().items.length, 2)
  const typed = (await get('q=bra&prefix=true&limit=1')).json()
  t.equal(typed.estimated_total, 7, 'prefix=true: the last word as a prefix')
  t.equal((await get('q=bra&limit=1')).json().estimated_total, 0)
  const days = (await get('after=2026-01-03&before=2026-01-05')).json()
  t.same(
    days.items.map((i: { title: string }) => i.title),
    ['Brass lamp 3', 'Brass lamp 2'],
    'plain dates are the start of their UTC day',
  )

  const problems: [string, string][] = [
    ['limit=101', 'query.limit'],
    ['sort=cheapest', 'query.sort'],
    ['pattern=(unclosed', 'query.pattern'],
    [`pattern=${'a'.repeat(257)}`, 'query.pattern'],
    ['cursor=forged', 'query.cursor'],
    ['after=2026-02-01T00:00:00Z&before=2026-01-01T00:00:00Z', 'query.after'],
    ['after=2026-02-01&before=2026-01-01', 'query.after'],
    ['after=2026-13-45', 'query.after'],
    ['before=yesterday', 'query.before'],
    ['min_price=-5', 'query.min_price'],
    ['unknown=1', 'query.unknown'],
    ['prefix=maybe&q=bra', 'query.prefix'],
    ['prefix=true', 'query.prefix'],
    ['attributes=red', 'query.attributes'],
    [`attributes=${encodeURIComponent('["red"]')}`, 'query.attributes'],
    ['source=a%20b', 'query.source'],
  ]
  for (const [query, field] of problems) {
    const res = await get(query)
    t.equal(res.statusCode, 400, query)
    t.ok(
      res.json().errors?.some((e: { field: string }) => e.field === field),
      `${query} names ${field}: ${res.body.slice(0, 300)}`,
    )
  }
  const noScope = await get('q=brass', await gw.auth('acme', 'items:read'))
  t.equal(noScope.statusCode, 403)

  const names = (res: { json(): { items: { title: string }[] } }) =>
    res
      .json()
      .items.map((i) => i.title)
      .sort()
  t.same(
    names(await get('attr.finish=matte&attr.n.gte=2&attr.n.lte=5')),
    ['Brass lamp 3', 'Brass lamp 5'],
    'attr.*: equality and bounds',
  )
  t.same(names(await get('attr.n=4')), ['Brass lamp 4'], 'a number reads as a number')
  t.same(names(await get('attr.n=%224%22')), [], 'a quoted number is text')
  t.same(
    names(await get(`attributes=${encodeURIComponent('{"finish":"gloss"}')}&attr.n.lte=2`)),
    ['Brass lamp 0', 'Brass lamp 2'],
    'with attributes, both hold',
  )
  const faceted = (await get('facets=attr.finish,tags&facet_size=1&currency=EUR&price_histogram=3&limit=1')).json()
  t.same(faceted.facets.fields, { 'attr.finish': [{ value: 'gloss', count: 4 }], tags: [{ value: 'home', count: 7 }] })
  t.same(faceted.price_histogram, {
    width: 3,
    currency: 'EUR',
    buckets: [
      { from: 999, count: 2 },
      { from: 1002, count: 3 },
      { from: 1005, count: 2 },
    ],
    truncated: false,
  })
  t.equal((await get('q=brass&limit=1')).json().price_histogram, null)
  t.equal((await get('q=brasss&typo=true&limit=1')).json().estimated_total, 7, 'typo=true: words a typo away')
  t.equal((await get('q=brasss&limit=1')).json().estimated_total, 0)

  const api = (await gw.app.inject({ method: 'GET', url: '/openapi.json' })).json()
  const operation = api.paths['/v1/search'].get
  t.match(operation.description, /attr\.<path>\.gte/, 'the attr parameters are described')
  t.ok(
    ['facets', 'facet_size', 'price_histogram', 'typo'].every((name) =>
      operation.parameters.some((p: { name: string }) => p.name === name),
    ),
    'and the other new parameters listed',
  )

  const refinements: [string, string][] = [
    ['attr.n.gte=two', 'query.attr.n.gte'],
    ['attr.n.gte=5&attr.n.lte=2', 'query.attr.n.gte'],
    ['attr.a..b=1', 'query.attr.a..b'],
    ['attr.a.b.c.d.e=1', 'query.attr.a.b.c.d.e'],
    ['attr.n=1&attr.n=2', 'query.attr.n'],
    [`attr.n=%22open`, 'query.attr.n'],
    [`attributes=${encodeURIComponent('{"n":1}')}&attr.n=2`, 'query.attr.n'],
    [Array.from({ length: 21 }, (_, i) => `attr.k${i}=1`).join('&'), 'query.attr'],
    [Array.from({ length: 11 }, (_, i) => `attr.k${i}.gte=1`).join('&'), 'query.attr'],
    ['facets=color', 'query.facets'],
    ['facets=attr.a..b', 'query.facets'],
    ['facets=tags&facet_size=51', 'query.facet_size'],
    ['facets=tags,tags', 'query.facets'],
    ['price_histogram=100', 'query.price_histogram'],
    ['price_histogram=0&currency=EUR', 'query.price_histogram'],
    ['typo=true', 'query.typo'],
    ['q=%22brass%20lamp%22&typo=true', 'query.typo'],
  ]
  for (const [query, field] of refinements) {
    const res = await get(query)
    t.equal(res.statusCode, 400, query)
    t.ok(
      res.json().errors?.some((e: { field: string }) => e.field === field),
      `${query} names ${field}: ${res.body.slice(0, 300)}`,
    )
  }
})
