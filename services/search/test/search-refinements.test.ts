// Attribute ranges, facets, the price histogram and typo tolerance: the same answers from every engine.
import { fieldViolationsOf } from '@catalog/kit'
import type { search } from '@catalog/proto'
import { jsonToStruct, structToJson } from '@catalog/proto'
import { status } from '@grpc/grpc-js'
import { eachEngine } from './helpers/engines.ts'
import { startSearch, upserted } from './helpers/search.ts'

const items = [
  upserted({
    title: 'Brass desk lamp',
    description: 'A warm light.',
    tags: ['home', 'light'],
    price: { amount_minor: 1250, currency: 'EUR' },
    attributes: { color: 'red', year: 2012, dims: { h: 30 }, sizes: [38, 42] },
  }),
  upserted({
    title: 'Steel floor lamp',
    description: 'Tall and bright.',
    tags: ['home', 'light'],
    price: { amount_minor: 4999, currency: 'EUR' },
    attributes: { color: 'red', year: 2019, dims: { h: 160 } },
  }),
  upserted({
    title: 'Oak bookshelf',
    description: 'Holds two hundred books.',
    tags: ['home'],
    price: { amount_minor: 1999, currency: 'EUR' },
    attributes: { color: 'brown', year: 2005, sizes: [42] },
  }),
  upserted({
    title: 'Paper lantern',
    description: 'Soft light from rice paper.',
    tags: ['light'],
    price: { amount_minor: 1100, currency: 'USD' },
    attributes: { color: 'white', year: '2015', dims: { h: 'tall' } },
  }),
  upserted({ title: 'Rug', description: 'Wool.', tags: [], price: null, attributes: { color: true } }),
  upserted({ tenant: 'other', title: 'Brass lamp elsewhere', attributes: { color: 'red', year: 2012 } }),
]

const facetOf = (res: search.SearchResponse__Output, field: string) =>
  res.facets
    .find((f) => f.field === field)
    ?.values.map((v) => [structToJson({ fields: v.value ? { v: v.value } : {} }).v, Number(v.count)])

eachEngine('attribute ranges, facets, price histograms and typos', async (t, engine) => {
  const s = await startSearch(t, { engine })
  await s.index(...items)
  const acme = s.as('acme')
  const run = (req: search.SearchRequest) => s.client.call('Search', req, acme)
  const titles = async (req: search.SearchRequest) =>
    (await run({ sort: 'SORT_ORDER_PRICE_ASC', ...req })).hits.map((h) => h.title)
  const fieldOf = async (req: search.SearchRequest) => {
    const err = await run(req).catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT, JSON.stringify(req))
    return fieldViolationsOf(err).map((v) => v.field)
  }

  await t.test('attribute ranges: numbers at a path within inclusive bounds, text never', async (t) => {
    t.same(await titles({ attribute_ranges: [{ path: 'year', min: 2010, max: 2020 }] }), ['Brass desk lamp', 'Steel floor lamp'])
    t.same(await titles({ attribute_ranges: [{ path: 'year', min: 2012, max: 2012 }] }), ['Brass desk lamp'], 'inclusive')
    t.same(await titles({ attribute_ranges: [{ path: 'year', max: 2012 }] }), ['Brass desk lamp', 'Oak bookshelf'], 'one bound')
    t.same(await titles({ attribute_ranges: [{ path: 'dims.h', min: 100 }] }), ['Steel floor lamp'], 'a nested path')
    t.same(await titles({ attribute_ranges: [{ path: 'sizes', min: 40, max: 41 }] }), [], 'no number of the array in range')
    t.same(
      await titles({ attribute_ranges: [{ path: 'sizes', min: 42, max: 42 }] }),
      ['Brass desk lamp', 'Oak bookshelf'],
      'any number of an array',
    )
    t.same(
      await titles({ attribute_ranges: [{ path: 'year', min: 2000 }], attributes: jsonToStruct({ color: 'red' }) }),
      ['Brass desk lamp', 'Steel floor lamp'],
      'with equality, both hold; the other tenant never',
    )
    t.same(
      await titles({
        attribute_ranges: [
          { path: 'year', min: 2000 },
          { path: 'dims.h', max: 50 },
        ],
      }),
      ['Brass desk lamp'],
      'every range holds',
    )
  })

  await t.test('facets: the top values of attribute paths and tags, over every match', async (t) => {
    const res = await run({ facets: ['attr.color', 'tags', 'attr.sizes', 'attr.year'], limit: 1 })
    t.same(
      res.facets.map((f) => f.field),
      ['attr.color', 'tags', 'attr.sizes', 'attr.year'],
      "in the request's order",
    )
    t.same(
      facetOf(res, 'attr.color'),
      [
        ['red', 2],
        ['brown', 1],
        ['white', 1],
        [true, 1],
      ],
      'by count, then JSON text',
    )
    t.same(facetOf(res, 'tags'), [
      ['home', 3],
      ['light', 3],
    ])
    t.same(
      facetOf(res, 'attr.sizes'),
      [
        [42, 2],
        [38, 1],
      ],
      'the values of an array, each item once',
    )
    t.same(
      facetOf(res, 'attr.year'),
      [
        ['2015', 1],
        [2005, 1],
        [2012, 1],
        [2019, 1],
      ],
      'text and numbers apart, ties in the order of their JSON text',
    )
    const top = await run({ facets: ['attr.color'], facet_size: 1, q: 'lamp' })
    t.same(facetOf(top, 'attr.color'), [['red', 2]], 'facet_size values, of the matches only')
    const nested = await run({ facets: ['attr.dims.h'] })
    t.same(facetOf(nested, 'attr.dims.h'), [
      ['tall', 1],
      [160, 1],
      [30, 1],
    ])
    const later = await run({ facets: ['tags'], limit: 1, cursor: res.next_cursor })
    t.same(later.facets, [], 'the first page only')
    t.same((await run({ limit: 1 })).facets, [], 'none unless asked')
  })

  await t.test('price histogram: buckets of one currency, non-empty, lowest first', async (t) => {
    const res = await run({ currency: 'EUR', price_histogram: '1000' })
    t.same(
      res.price_histogram.map((b) => [b.from_minor, b.count]),
      [
        ['1000', '2'],
        ['4000', '1'],
      ],
    )
    t.equal(res.price_histogram_truncated, false)
    const narrow = await run({ currency: 'EUR', price_histogram: '1', min_price_minor: '1000' })
    t.same(
      narrow.price_histogram.map((b) => b.from_minor),
      ['1250', '1999', '4999'],
    )
    const many = await s.client.call('Search', { currency: 'JPY', price_histogram: '1' }, s.as('many'))
    t.same(many.price_histogram, [], 'no prices, no buckets')
  })

  await t.test('typo: each word also matches a word a typo away, exact matches first', async (t) => {
    t.same((await run({ q: 'brasss lamp' })).hits, [], 'off by default')
    const res = await run({ q: 'brasss lamp', typo: true })
    t.same(
      res.hits.map((h) => h.title),
      ['Brass desk lamp'],
    )
    const both = await run({ q: 'lamp', typo: true })
    t.same(both.hits[0]?.title.endsWith('lamp'), true, 'an exact match ranks first')
    t.same(
      (await run({ q: 'bookshelff', typo: true })).hits.map((h) => h.title),
      ['Oak bookshelf'],
    )
    t.same((await run({ q: 'zzzzqqq', typo: true })).hits, [], 'unlike anything: nothing')
  })

  await t.test('bad refinements are INVALID_ARGUMENT naming the field', async (t) => {
    t.same(await fieldOf({ attribute_ranges: [{ path: 'year' }] }), ['attribute_ranges[0]'])
    t.same(await fieldOf({ attribute_ranges: [{ path: 'a..b', min: 1 }] }), ['attribute_ranges[0].path'])
    t.same(await fieldOf({ attribute_ranges: [{ path: 'a.b.c.d.e', min: 1 }] }), ['attribute_ranges[0].path'])
    t.same(await fieldOf({ attribute_ranges: [{ path: 'y', min: 2, max: 1 }] }), ['attribute_ranges[0].min'])
    t.same(await fieldOf({ attribute_ranges: [{ path: 'y', min: Number.NaN }] }), ['attribute_ranges[0].min'])
    t.same(await fieldOf({ attribute_ranges: Array.from({ length: 11 }, (_, i) => ({ path: `k${i}`, min: 1 })) }), [
      'attribute_ranges',
    ])
    t.same(await fieldOf({ facets: ['color'] }), ['facets'])
    t.same(await fieldOf({ facets: ['tags', 'tags'] }), ['facets'])
    t.same(await fieldOf({ facets: ['tags', 'attr.a', 'attr.b', 'attr.c', 'attr.d', 'attr.e'] }), ['facets'])
    t.same(await fieldOf({ facets: ['tags'], facet_size: 51 }), ['facet_size'])
    t.same(await fieldOf({ price_histogram: '100' }), ['price_histogram'], 'needs a currency')
    t.same(await fieldOf({ price_histogram: '-1', currency: 'EUR' }), ['price_histogram'])
    t.same(await fieldOf({ typo: true }), ['typo'], 'needs q')
    t.same(await fieldOf({ q: '"brass lamp"', typo: true }), ['typo'], 'plain words only')
    t.same(await fieldOf({ q: 'brass la', typo: true, prefix: true }), ['typo'])
    t.same(await fieldOf({ q: 'a b c d e f g h i', typo: true }), ['typo'])
  })
})
