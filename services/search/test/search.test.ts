import { fieldViolationsOf } from '@catalog/kit'
import type { search } from '@catalog/proto'
import { jsonToStruct, structToJson } from '@catalog/proto'
import { status } from '@grpc/grpc-js'
import { eachEngine } from './helpers/engines.ts'
import type { ItemSpec } from './helpers/search.ts'
import { everyHit, startSearch, upserted } from './helpers/search.ts'

const catalogue: ItemSpec[] = [
  {
    title: 'Café crème grinder',
    description: 'Burr grinder for espresso and filter.',
    tags: ['kitchen', 'coffee'],
    price: { amount_minor: 8900, currency: 'EUR' },
    published_at: '2026-01-10T00:00:00Z',
  },
  {
    title: 'Espresso cups',
    description: 'Six cups for a café at home.',
    tags: ['kitchen', 'coffee'],
    price: { amount_minor: 2400, currency: 'EUR' },
    published_at: '2026-02-01T00:00:00Z',
  },
  {
    title: 'Half-Life 2',
    description: 'A crowbar and a physics gun.',
    tags: ['game', 'fps'],
    price: { amount_minor: 999, currency: 'USD' },
    published_at: '2004-11-16T00:00:00Z',
  },
  {
    title: 'Portal',
    description: 'Think with portals. Cake is promised.',
    tags: ['game', 'puzzle'],
    price: { amount_minor: 999, currency: 'USD' },
    published_at: '2007-10-10T00:00:00Z',
  },
  { title: 'Gist: regex cheatsheet', description: 'Anchors ^ and $, classes [a-z], 100% free.', tags: ['gist'], price: null },
  ...Array.from({ length: 12 }, (_, i) => ({
    title: `Lamp model ${String.fromCharCode(65 + i)}`,
    description: `A lamp, number ${i}.`,
    tags: i % 2 ? ['home', 'light'] : ['home'],
    price: { amount_minor: 1000 + i * 100, currency: 'EUR' },
    published_at: new Date(Date.UTC(2025, i, 1)).toISOString(),
  })),
]

eachEngine('searching the read model', async (t, engine) => {
  const s = await startSearch(t, { engine })
  await s.index(...catalogue.map((spec) => upserted(spec)))
  await s.index(upserted({ tenant: 'other', title: 'Café other tenant', tags: ['coffee'] }))
  const acme = s.as('acme')
  const run = (req: search.SearchRequest) => s.client.call('Search', req, acme)
  const titles = async (req: search.SearchRequest) => (await run(req)).hits.map((h) => h.title)

  await t.test('q: words, ranked, accents ignored, highlighted', async (t) => {
    const res = await run({ q: 'cafe' })
    t.same(
      res.hits.map((h) => h.title),
      ['Café crème grinder', 'Espresso cups'],
      'a title match ranks above a description match',
    )
    t.match(res.hits[1]?.snippet, /<mark>café<\/mark>/)
    t.equal(res.estimated_total, '2')
    t.equal(res.total_is_exact, true)
    t.same(await titles({ q: '"physics gun"' }), ['Half-Life 2'], 'phrases')
    t.same(await titles({ q: 'game -crowbar' }), [], 'q searches words of title and description')
  })

  await t.test('prefix: the last word of q matches the words it begins', async (t) => {
    t.same(await titles({ q: 'caf', prefix: true }), ['Café crème grinder', 'Espresso cups'], 'accents folded')
    t.same(await titles({ q: 'espresso cu', prefix: true }), ['Espresso cups'], 'earlier words whole, the last a prefix')
    t.same(await titles({ q: 'caf' }), [], 'off by default')
    t.same(await titles({ q: 'portal "physics g', prefix: true }), [], 'an open phrase keeps its last word whole')
    t.same(await titles({ q: 'physics -crow', prefix: true }), ['Half-Life 2'], 'a negated word is not a prefix')
    const [hit] = (await run({ q: 'grind', prefix: true })).hits
    t.match(hit?.snippet, /<mark>grinder<\/mark>/, 'the whole word is highlighted')
    const err = await run({ q: '', prefix: true }).catch((e) => e)
    t.same(
      fieldViolationsOf(err).map((v) => v.field),
      ['prefix'],
    )
  })

  await t.test('contains and pattern', async (t) => {
    t.same(await titles({ contains: 'CROWBAR' }), ['Half-Life 2'], 'case-insensitive substring')
    t.same(await titles({ contains: '100%' }), ['Gist: regex cheatsheet'], 'LIKE wildcards are literal')
    t.same(await titles({ contains: 'F-lI' }), ['Half-Life 2'], 'across punctuation, any case')
    t.same(await titles({ contains: 'r and a p' }), ['Half-Life 2'], 'across words and spaces')
    t.same(await titles({ contains: 'crowbar and a physics gun.' }), ['Half-Life 2'], 'a long substring, to the end')
    t.same(await titles({ contains: 'porta' }), ['Portal'], 'the start of a value (and inside "portals")')
    // Every trigram of each is in the catalogue ("l g" of "model G", " gu" of "gun"), never all in a row.
    for (const apart of ['l gun', 'home 2', 'for 9'])
      t.same(await titles({ contains: apart }), [], `"${apart}": its trigrams apart are not the substring`)
    t.same(await titles({ contains: 'FE' }), ['Half-Life 2'], 'two characters')
    t.same((await titles({ contains: 'k' })).sort(), ['Lamp model K', 'Portal'], 'one')
    t.same(await titles({ contains: 'e 2' }), ['Half-Life 2'], 'three, one of them a space')
    t.same(await titles({ pattern: '^Lamp model [AB]$', sort: 'SORT_ORDER_PRICE_ASC' }), ['Lamp model A', 'Lamp model B'])
  })

  await t.test('date window, tags, price, sorts and facets', async (t) => {
    const window = { published_after: { seconds: String(Date.UTC(2026, 0, 1) / 1000), nanos: 0 } }
    t.same(await titles({ ...window }), ['Espresso cups', 'Café crème grinder'], 'newest first by default')
    t.same((await titles({ tags: ['home', 'light'] })).length, 6, 'all of the tags')
    const band = await titles({ min_price_minor: '900', max_price_minor: '1000', sort: 'SORT_ORDER_PRICE_DESC' })
    t.equal(band[0], 'Lamp model A', 'the dearest first')
    t.same([...band].sort(), ['Half-Life 2', 'Lamp model A', 'Portal'], 'an inclusive price band')
    const usd = await titles({ currency: 'USD', sort: 'SORT_ORDER_PRICE_ASC' })
    t.same([...usd].sort(), ['Half-Life 2', 'Portal'], 'prices in one currency')
    const cheapest = await titles({ sort: 'SORT_ORDER_PRICE_ASC', limit: 2 })
    t.same([...cheapest].sort(), ['Half-Life 2', 'Portal'], 'the cheapest first')
    const facets = (await run({ tags: ['home'] })).tag_facets
    t.same(facets.slice(0, 2), [
      { tag: 'home', count: '12' },
      { tag: 'light', count: '6' },
    ])
    // A page that holds every match and one that does not: the same facets either way.
    t.same((await run({ tags: ['home'], limit: 2 })).tag_facets, facets, 'the same tags when the matches span pages')
  })

  await t.test('paging with cursors returns each item exactly once, for every sort', async (t) => {
    for (const sort of ['SORT_ORDER_NEWEST', 'SORT_ORDER_PRICE_ASC', 'SORT_ORDER_PRICE_DESC'] as const) {
      const seen = (await everyHit(run, { sort, limit: 4 }, 20)).map((h) => h.item_id)
      t.equal(seen.length, catalogue.length, `${sort}: every item`)
      t.equal(new Set(seen).size, catalogue.length, `${sort}: once`)
    }
    const relevance = (await everyHit(run, { q: 'lamp', limit: 5 })).map((h) => h.item_id)
    t.equal(new Set(relevance).size, 12, 'relevance pages too')
  })

  await t.test('tenant isolation', async (t) => {
    t.notOk((await titles({ q: 'cafe' })).includes('Café other tenant'))
    const other = await s.client.call('Search', { q: 'cafe' }, s.as('other'))
    t.same(
      other.hits.map((h) => h.title),
      ['Café other tenant'],
    )
  })

  await t.test('bad queries are INVALID_ARGUMENT naming the parameter', async (t) => {
    const fieldOf = async (req: search.SearchRequest) => {
      const err = await run(req).catch((e) => e)
      t.equal(err.code, status.INVALID_ARGUMENT, JSON.stringify(req).slice(0, 80))
      return fieldViolationsOf(err).map((v) => v.field)
    }
    t.same(await fieldOf({ pattern: '(unclosed' }), ['pattern'])
    t.same(await fieldOf({ pattern: 'a'.repeat(257) }), ['pattern'])
    // PostgreSQL fails to allocate for this one (XX000) rather than call it too complex (2201B).
    t.same(await fieldOf({ pattern: '((\\w{1,100}){1,100}){1,5}' }), ['pattern'], 'a pattern too big to compile')
    t.same(await fieldOf({ pattern: '(a{1,255}){1,255}' }), ['pattern'], 'a pattern too complex')
    t.same(await fieldOf({ limit: 101 }), ['limit'])
    t.same(await fieldOf({ limit: -1 }), ['limit'])
    t.same(await fieldOf({ cursor: 'garbage!' }), ['cursor'])
    const newest = await run({ limit: 1 })
    t.same(await fieldOf({ sort: 'SORT_ORDER_PRICE_ASC', cursor: newest.next_cursor }), ['cursor'], "another sort's cursor")
    const forged = Buffer.from(
      JSON.stringify({ s: 'newest', k: 'not a date', i: '00000000-0000-4000-8000-000000000000' }),
    ).toString('base64url')
    t.same(await fieldOf({ cursor: forged }), ['cursor'])
    t.same(await fieldOf({ published_after: { seconds: '2000', nanos: 0 }, published_before: { seconds: '1000', nanos: 0 } }), [
      'published_after',
    ])
    t.same(await fieldOf({ sort: 'SORT_ORDER_RELEVANCE' }), ['sort'], 'relevance without q')
    t.same(await fieldOf({ min_price_minor: '5', max_price_minor: '1' }), ['min_price'])
    t.same(await fieldOf({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), ['tags'])
    const injected = await run({ q: "' OR 1=1; DROP TABLE search_items; --", contains: "'; --", pattern: "'.*" })
    t.same(injected.hits, [], 'SQL in any parameter is just text to match')
    t.equal((await titles({ q: 'portal' })).length, 1, 'and the table is still there')
  })
})

eachEngine(
  'a query that runs past the statement timeout ends as a 4xx naming its filter, and the service stays healthy',
  async (t, engine) => {
    const s = await startSearch(t, { engine, statementTimeoutMs: 1 })
    const acme = s.as('acme')
    await s.index(...Array.from({ length: 1_000 }, (_, i) => upserted({ title: `Item ${i}`, description: 'ab'.repeat(2_500) })))
    const err = await s.client.call('Search', { pattern: '(a|b)*c' }, acme).catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT)
    t.same(
      fieldViolationsOf(err).map((v) => v.field),
      ['pattern'],
    )
    t.match(fieldViolationsOf(err)[0]?.description, /ran past 1 ms/, 'ended by the statement timeout')
    const next = await s.client.call('Search', { q: 'item', limit: 1 }, acme).catch((e) => e)
    t.ok(next.code === undefined || next.code === status.INVALID_ARGUMENT, 'the service answers the next query', {
      code: next.code,
      details: next.details,
    })
  },
)

eachEngine('hits carry the natural key and attributes; source and attributes filter', async (t, engine) => {
  const s = await startSearch(t, { engine })
  const acme = s.as('acme')
  await s.index(
    upserted({
      title: 'Red lamp',
      source: 'shop',
      external_id: 'sku-1',
      attributes: { color: 'red', watts: 40, dims: { h: 30 } },
    }),
    upserted({ title: 'Blue lamp', source: 'shop', external_id: 'sku-2', attributes: { color: 'blue', watts: 60 } }),
    upserted({ title: 'Red gist', source: 'gists', external_id: 'g-1', attributes: { color: 'red', langs: ['ts', 'sql'] } }),
    upserted({ tenant: 'other', title: 'Red lamp elsewhere', source: 'shop', attributes: { color: 'red' } }),
  )
  const find = async (req: search.SearchRequest) =>
    (await s.client.call('Search', { sort: 'SORT_ORDER_PRICE_ASC', ...req }, acme)).hits.map((h) => h.title).sort()

  const [hit] = (await s.client.call('Search', { q: 'blue' }, acme)).hits
  t.same([hit?.source, hit?.external_id], ['shop', 'sku-2'])
  t.same(structToJson(hit?.attributes), { color: 'blue', watts: 60 }, 'attributes as the item holds them')

  t.same(await find({ source: 'gists' }), ['Red gist'])
  t.same(await find({ attributes: jsonToStruct({ color: 'red' }) }), ['Red gist', 'Red lamp'], 'within the tenant only')
  t.same(await find({ attributes: jsonToStruct({ color: 'red', watts: 40 }) }), ['Red lamp'], 'every key must hold')
  t.same(await find({ attributes: jsonToStruct({ watts: '40' }) }), [], 'a number is not its text')
  t.same(await find({ attributes: jsonToStruct({ dims: { h: 30 } }) }), ['Red lamp'], 'nested objects by containment')
  t.same(await find({ attributes: jsonToStruct({ langs: ['sql'] }) }), ['Red gist'], 'an array holding the value')
  t.same(await find({ source: 'shop', q: 'red' }), ['Red lamp'])

  const fieldOf = async (req: search.SearchRequest) =>
    fieldViolationsOf(await s.client.call('Search', req, acme).catch((e) => e)).map((v) => v.field)
  t.same(await fieldOf({ source: 'a b' }), ['source'])
  for (const [field, req] of [
    ['source', { source: 'a\u0000b' }],
    ['attributes', { attributes: jsonToStruct({ color: 'r\u0000d' }) }],
    ['q', { q: 'lamp\u0000' }],
    ['contains', { contains: 'la\u0000mp' }],
    ['tags', { tags: ['a\u0000'] }],
  ] as const)
    t.same(await fieldOf(req as search.SearchRequest), [field], `a NUL in ${field} is the client's 400, not a 500`)
  t.same(await fieldOf({ attributes: jsonToStruct(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]))) }), [
    'attributes',
  ])
})

eachEngine('totals are counted up to the cap and past it are a lower bound, never a guess', async (t, engine) => {
  const s = await startSearch(t, { engine, countCap: 50 })
  const acme = s.as('acme')
  await s.index(...Array.from({ length: 60 }, (_, i) => upserted({ title: `Bulk widget ${i}`, tags: ['bulk'] })))
  await s.index(...Array.from({ length: 50 }, (_, i) => upserted({ title: `Exact gadget ${i}`, tags: ['exact'] })))

  const past = await s.client.call('Search', { q: 'bulk', limit: 5 }, acme)
  t.equal(past.total_relation, 'TOTAL_RELATION_GTE', 'more matches than the cap: at least')
  t.equal(past.estimated_total, '50', 'the cap itself, not an estimate')
  t.equal(past.total_is_exact, false)
  t.same(past.tag_facets[0], { tag: 'bulk', count: '51' }, 'facets sample the matches the count read (cap + 1)')

  const at = await s.client.call('Search', { q: 'exact', limit: 5 }, acme)
  t.equal(at.total_relation, 'TOTAL_RELATION_EQ', 'as many matches as the cap: exact')
  t.equal(at.estimated_total, '50')
  t.equal(at.total_is_exact, true)

  // In a sort order: the matches are found once, and sorted into the page when all are there.
  const sorted = (tags: string[]) => s.client.call('Search', { tags, sort: 'SORT_ORDER_NEWEST', limit: 5 }, acme)
  const [pastTag, atTag] = [await sorted(['bulk']), await sorted(['exact'])]
  t.same([pastTag.estimated_total, pastTag.total_relation, pastTag.hits.length], ['50', 'TOTAL_RELATION_GTE', 5])
  t.same([atTag.estimated_total, atTag.total_relation, atTag.hits.length], ['50', 'TOTAL_RELATION_EQ', 5])
  const allExact = await s.client.call('Search', { tags: ['exact'], sort: 'SORT_ORDER_NEWEST', limit: 100 }, acme)
  t.same(
    atTag.hits.map((h) => h.item_id),
    allExact.hits.slice(0, 5).map((h) => h.item_id),
    'the first five of every match in the order',
  )
  const rest = await s.client.call(
    'Search',
    { tags: ['exact'], sort: 'SORT_ORDER_NEWEST', limit: 100, cursor: atTag.next_cursor },
    acme,
  )
  t.same(
    rest.hits.map((h) => h.item_id),
    allExact.hits.slice(5).map((h) => h.item_id),
    'and the cursor goes on from the fifth',
  )

  const few = await s.client.call('Search', { q: 'widget 7', limit: 5 }, acme)
  t.same([few.estimated_total, few.total_relation], ['1', 'TOTAL_RELATION_EQ'], 'a first page holding every match')

  const later = await s.client.call('Search', { q: 'bulk', limit: 5, cursor: past.next_cursor }, acme)
  t.equal(later.hits.length, 5)
  t.same([later.estimated_total, later.total_relation], ['0', 'TOTAL_RELATION_UNSPECIFIED'], 'totals on the first page only')
})

eachEngine('a first page sorted from its matches continues by cursor as the sort index orders them', async (t, engine) => {
  const s = await startSearch(t, { engine })
  const acme = s.as('acme')
  // Dated and undated, priced and unpriced, with ties on the date and on the price.
  const specs = [
    { published_at: '2024-05-01T10:00:00.123Z', price: { amount_minor: 500, currency: 'EUR' } },
    { published_at: '2024-05-01T10:00:00.123Z', price: { amount_minor: 500, currency: 'EUR' } },
    { published_at: '1999-12-31T23:59:59Z', price: { amount_minor: -20, currency: 'EUR' } },
    { price: { amount_minor: 9_000_000_000_000, currency: 'EUR' } },
    { published_at: '2030-01-01T00:00:00Z', price: null },
    {},
    { published_at: '2024-05-01T10:00:00.124Z', price: { amount_minor: 499, currency: 'EUR' } },
  ]
  await s.index(...specs.map((spec, i) => upserted({ title: `Sorted ${i}`, tags: ['all'], ...spec })))
  // With the tag, the first page is sorted from the matches found once; without it, the first page
  // walks the sort's index. Both name the same items, so every page must agree.
  const walk = async (sort: 'SORT_ORDER_NEWEST' | 'SORT_ORDER_PRICE_ASC' | 'SORT_ORDER_PRICE_DESC', tags: string[]) =>
    (await everyHit((req) => s.client.call('Search', req, acme), { sort, tags, limit: 2 })).map((h) => h.item_id)
  for (const sort of ['SORT_ORDER_NEWEST', 'SORT_ORDER_PRICE_ASC', 'SORT_ORDER_PRICE_DESC'] as const) {
    const fromMatches = await walk(sort, ['all'])
    t.equal(new Set(fromMatches).size, specs.length, `${sort}: every item once`)
    t.same(fromMatches, await walk(sort, []), `${sort}: the same order both ways`)
  }
})

eachEngine('a ranked query past the cap ranks and pages the matches the count read', async (t, engine) => {
  const s = await startSearch(t, { engine, countCap: 5 })
  const acme = s.as('acme')
  await s.index(
    ...Array.from({ length: 9 }, (_, i) => upserted({ title: `Ranked lamp ${i}`, description: 'lamp '.repeat(i % 3) })),
  )
  const hits = await everyHit((req) => s.client.call('Search', req, acme), { q: 'lamp', limit: 2 })
  const seen = hits.map((h) => h.item_id)
  const scores = hits.map((h) => h.score)
  // PostgreSQL ranks the matches its count read; OpenSearch ranks every match, from its own index.
  const ranked = engine === 'postgres' ? 6 : 9
  t.equal(seen.length, ranked, 'pages cover the matches ranked: cap + 1 on PostgreSQL (a result window), all on OpenSearch')
  t.equal(new Set(seen).size, ranked, 'each once')
  t.same(
    scores,
    [...scores].sort((a, b) => b - a),
    'best first across pages',
  )
  const all = await s.client.call('Search', { q: 'lamp', sort: 'SORT_ORDER_NEWEST', limit: 20 }, acme)
  t.equal(all.hits.length, 9, 'another order walks every match')
})

eachEngine('an anchored pattern is narrowed by its literal prefix and still matches exactly', async (t, engine) => {
  const s = await startSearch(t, { engine })
  const acme = s.as('acme')
  await s.index(...catalogue.map((spec) => upserted(spec)))
  const titles = async (pattern: string) =>
    (await s.client.call('Search', { pattern, sort: 'SORT_ORDER_PRICE_ASC' }, acme)).hits.map((h) => h.title)
  t.same(await titles('^Six cups'), ['Espresso cups'], 'a prefix of the description')
  t.same(await titles('^Portalx?$'), ['Portal'], 'a last letter made optional is not part of the prefix')
  t.same(await titles('^Lamp model [C-D]'), ['Lamp model C', 'Lamp model D'])
  t.same((await titles('^Porta|crowbar')).sort(), ['Half-Life 2', 'Portal'], 'an alternation is not anchored as a whole')
  t.same(await titles('^portal'), [], 'case-sensitive, as the regex is')
  t.same(await titles('^Espresso cups and more'), [], 'the whole pattern must match, not only its prefix')
})

eachEngine('a pattern the index cannot narrow is refused at once in a large catalog', async (t, engine) => {
  const s = await startSearch(t, { engine, patternScanMaxItems: 10 })
  await s.index(...catalogue.map((spec) => upserted(spec)))
  await s.index(upserted({ tenant: 'small', title: 'Tiny 42' }))
  const call = (req: search.SearchRequest, tenant = 'acme') => s.client.call('Search', req, s.as(tenant))

  const err = await call({ pattern: '^[A-Z][a-z]+ [0-9]+$' }).catch((e) => e)
  t.equal(err.code, status.INVALID_ARGUMENT)
  const [violation] = fieldViolationsOf(err)
  t.equal(violation?.field, 'pattern')
  t.match(violation?.description, /no literal the index can use.*more than 10/, 'says why and the bound')
  t.same(
    (await call({ pattern: '^[A-Z][a-z]+ [0-9]+$' }, 'small')).hits.map((h) => h.title),
    ['Tiny 42'],
    'a catalog within the bound is searched',
  )
  t.equal((await call({ pattern: '[a-z]+ [A-Z]$', q: 'lamp' })).hits.length, 12, 'words narrow it first')
  t.equal((await call({ pattern: 'model [A-Z]$' })).hits.length, 12, 'a literal run of three letters narrows it')
})

eachEngine("snippets are escaped text whose only markup is the service's <mark>", async (t, engine) => {
  const s = await startSearch(t, { engine })
  const acme = s.as('acme')
  await s.index(
    upserted({
      title: 'Xylophone <b>deluxe</b>',
      description: `A xylophone <img src=x onerror=alert(1)> & "mallets" for 'kids', <mark>not ours</mark>.`,
    }),
  )
  /** The snippet without the service's own marks: what must be plain escaped text. */
  const unmarked = (snippet: string) => snippet.replaceAll('<mark>', '').replaceAll('</mark>', '')

  const [hit] = (await s.client.call('Search', { q: 'xylophone' }, acme)).hits
  const snippet = hit?.snippet ?? ''
  t.match(snippet, /<mark>xylophone<\/mark>/, 'the matched word is still marked')
  t.match(snippet, '&lt;img src=x onerror=alert(1)&gt;', 'a tag in the description is text')
  t.match(snippet, '&amp; &quot;mallets&quot; for &#39;kids&#39;', 'so are & " and \'')
  t.notMatch(unmarked(snippet), /[<>"']/, 'no markup but the marks')
  t.equal(hit?.title, 'Xylophone <b>deluxe</b>', 'the title is plain text, returned as indexed')

  const [unranked] = (await s.client.call('Search', { contains: 'xylophone' }, acme)).hits
  t.match(unranked?.snippet, '&lt;img src=x onerror=alert(1)&gt;', 'without q, the snippet is escaped too')
  t.match(unranked?.snippet, '&lt;mark&gt;not ours&lt;/mark&gt;', 'a <mark> of the description among it')
  t.notMatch(unranked?.snippet, /[<>"']/, 'and holds no markup at all')
})

eachEngine(
  'a pattern means the same on every engine; what one engine could not run is a 400 naming pattern',
  async (t, engine) => {
    const s = await startSearch(t, { engine })
    const acme = s.as('acme')
    await s.index(
      upserted({ title: 'Order #42 <b>bold</b> & "quotes" @home ~tilde', description: 'Line one\nLine two' }),
      upserted({ title: 'Lamp 2000', description: 'brass, 40 W' }),
      upserted({ title: 'lamp 300' }),
      upserted({ title: 'École', description: 'Café crème' }),
    )
    const titles = async (req: search.SearchRequest) =>
      (await s.client.call('Search', { sort: 'SORT_ORDER_PRICE_ASC', ...req }, acme)).hits.map((h) => h.title).sort()
    const order = 'Order #42 <b>bold</b> & "quotes" @home ~tilde'
    const cases: [string, string[], string][] = [
      ['#\\d+ <b>', [order], 'punctuation one engine reserves (# < >) is literal'],
      ['& "quotes" @home ~tilde$', [order], '& " @ ~ too'],
      ['^[Ll]amp \\d{3,4}$', ['Lamp 2000', 'lamp 300'], 'brackets, \\d and bounds over the whole title'],
      ['^lamp', ['lamp 300'], 'case-sensitive'],
      ['(?:brass|steel), \\d+ W$', ['Lamp 2000'], 'a non-capturing group, anchored at the end of the description'],
      ['one\\nLine', [order], '\\n is a newline'],
      ['^Line two$', [], '^ is the start of the whole value, not of a line'],
      ['Caf. cr', ['École'], '. is one character, é among them'],
      ['\\w+ \\d{4}', ['Lamp 2000'], '\\w'],
      ['lamp|^École$', ['lamp 300', 'École'], 'an alternation, one branch anchored'],
      ['Lamp.*?0$', ['Lamp 2000'], 'a lazy quantifier matches what the greedy one does'],
    ]
    for (const [pattern, expected, what] of cases) t.same(await titles({ pattern }), expected, `${pattern}: ${what}`)
    t.same(await titles({ contains: 'CAFÉ' }), ['École'], 'contains folds case beyond ASCII')

    const refusal = async (pattern: string) => {
      const err = await s.client.call('Search', { pattern }, acme).catch((e) => e)
      t.equal(err.code, status.INVALID_ARGUMENT, pattern)
      const [violation] = fieldViolationsOf(err)
      t.equal(violation?.field, 'pattern', pattern)
      return violation?.description
    }
    t.match(await refusal('[[:digit:]]+'), /POSIX class/)
    t.match(await refusal('lamp(?=s)'), /lookahead or lookbehind/)
    t.match(await refusal('(lamp) \\1'), /back-reference/)
    t.match(await refusal('\\ylamp\\y'), /boundary/)
    t.match(await refusal('a^b'), /\^ or \$ inside/)
  },
)

eachEngine('q in web-search syntax finds the same items on every engine', async (t, engine) => {
  const s = await startSearch(t, { engine })
  const acme = s.as('acme')
  await s.index(
    upserted({ title: 'Brass lamp', description: 'A desk lamp of brass.' }),
    upserted({ title: 'Steel desk', description: 'Grey steel.' }),
    upserted({ title: 'Oak table', description: 'Solid oak or pine.' }),
    upserted({ title: 'Brass bell' }),
  )
  const titles = async (q: string, prefix = false) =>
    (await s.client.call('Search', { q, prefix }, acme)).hits.map((h) => h.title).sort()
  t.same(await titles('brass lamp'), ['Brass lamp'], 'every word')
  t.same(await titles('BRASS or steel'), ['Brass bell', 'Brass lamp', 'Steel desk'], 'or between two words')
  t.same(await titles('brass lamp or steel desk'), ['Brass lamp', 'Steel desk'], 'or binds the words beside it')
  t.same(await titles('brass -lamp'), ['Brass bell'], 'a negated word')
  t.same(await titles('"desk lamp"'), ['Brass lamp'], 'a phrase')
  t.same(await titles('"lamp desk"'), [], 'in its order')
  t.same(await titles('-"desk lamp" brass'), ['Brass bell'], 'a negated phrase')
  t.same(await titles('oak or'), ['Oak table'], 'a last or is a word')
  t.same(await titles('brass la', true), ['Brass lamp'], 'a prefix after whole words')
  t.same(await titles('de', true), ['Brass lamp', 'Steel desk'], 'a prefix in the title or the description')
})

eachEngine(
  'an anchored pattern finds titles and descriptions of any length, each item once, with other filters',
  async (t, engine) => {
    const s = await startSearch(t, { engine })
    const acme = s.as('acme')
    // Long values: PostgreSQL's covering prefix indexes hold values up to a size, longer ones their own.
    const longTitle = `Brass lamp ${'界'.repeat(400)}`
    await s.index(
      upserted({ title: 'Brass lamp 1', description: 'Brass lamp 1', tags: ['home'] }),
      upserted({ title: 'Brass lamp 2', description: 'Old.', tags: ['home'] }),
      upserted({ title: 'Other', description: 'Brass lamp 3', tags: ['shop'] }),
      upserted({ title: longTitle, description: '', tags: ['home'] }),
      upserted({ title: 'Long', description: `Brass lamp ${'x'.repeat(3_000)}`, tags: ['shop'] }),
      upserted({ title: 'Brass lampshade', description: 'Brass lampshade', tags: ['shop'] }),
      upserted({ title: 'Lamp', description: 'A Brass lamp 4, not at the start', tags: ['home'] }),
      upserted({ tenant: 'other', title: 'Brass lamp 9', tags: ['home'] }),
    )
    const search = (req: search.SearchRequest) => s.client.call('Search', req, acme)
    const titles = async (req: search.SearchRequest) => (await search(req)).hits.map((h) => h.title).sort()

    const exact = await search({ pattern: '^Brass lamp [0-9]+$' })
    t.same(exact.hits.map((h) => h.title).sort(), ['Brass lamp 1', 'Brass lamp 2', 'Other'], 'title or description, each once')
    t.match(exact, { estimated_total: '3', total_relation: 'TOTAL_RELATION_EQ' })
    const all = ['Brass lamp 1', 'Brass lamp 2', 'Brass lampshade', 'Long', 'Other', longTitle].sort()
    t.same(await titles({ pattern: '^Brass lamp' }), all, 'long titles and descriptions too')
    t.equal((await search({ pattern: '^Brass lamp' })).estimated_total, '6')
    t.same(
      await titles({ pattern: '^Brass lamp', tags: ['home'] }),
      ['Brass lamp 1', 'Brass lamp 2', longTitle].sort(),
      'with a tag',
    )
    t.same(await titles({ pattern: '^Brass lamp', q: 'old' }), ['Brass lamp 2'], 'with words')

    // Page by page, every match once.
    const seen = (await everyHit(search, { pattern: '^Brass lamp', limit: 2 })).map((h) => h.title)
    t.same(seen.sort(), all, 'across pages')
  },
)
