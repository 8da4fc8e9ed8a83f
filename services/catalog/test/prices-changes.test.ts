import { fieldViolationsOf } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { fields, startCatalog } from './helpers/catalog.ts'
import { iso, priceless, ts, writeHistory } from './helpers/price-history.ts'

const row = (c: catalog.PriceChange__Output) => [
  c.title,
  c.old_price ? `${c.old_price.amount_minor} ${c.old_price.currency}` : null,
  c.new_price ? `${c.new_price.amount_minor} ${c.new_price.currency}` : null,
  c.change_percent ?? null,
]

t.test("the tenant's changes, newest first, with the price before each, filtered", async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const a = await priceless(cat, 'acme', 'a', 'Lamp')
  const b = await priceless(cat, 'acme', 'b', 'Desk')
  const c = await priceless(cat, 'acme', 'c', 'Chair')
  const gone = await priceless(cat, 'acme', 'd', 'Gone')
  const theirs = await priceless(cat, 'globex', 'e', 'Theirs')
  await writeHistory(cat.pool, 'acme', a, [
    ['2024-03-01T00:00:00Z', 1000],
    ['2024-03-02T00:00:00Z', 900], // -10%
    ['2024-03-03T00:00:00Z', 950], // +5.56%
  ])
  await writeHistory(cat.pool, 'acme', b, [
    ['2024-03-01T00:00:00Z', 2000],
    ['2024-03-04T00:00:00Z', 1800, 'USD'], // another currency: no percentage
    ['2024-03-05T00:00:00Z', 1000, 'USD'], // -44.44%
  ])
  await writeHistory(cat.pool, 'acme', c, [
    ['2024-03-02T00:00:00Z', 500],
    ['2024-03-06T00:00:00Z', null],
  ])
  await writeHistory(cat.pool, 'acme', gone, [
    ['2024-03-02T00:00:00Z', 100],
    ['2024-03-03T00:00:00Z', 50],
  ])
  await cat.client.call('DeleteItem', { id: gone }, acme)
  await writeHistory(cat.pool, 'globex', theirs, [
    ['2024-03-02T00:00:00Z', 100],
    ['2024-03-03T00:00:00Z', 10],
  ])
  const window = { since: ts('2024-03-01T12:00:00Z'), until: ts('2024-03-06T00:00:00Z') }
  const feed = async (req: Partial<catalog.ListPriceChangesRequest> = {}) =>
    (await cat.client.call('ListPriceChanges', { ...window, ...req }, acme)).changes.map(row)

  t.same(await feed(), [
    ['Desk', '1800 USD', '1000 USD', -44.44],
    ['Desk', '2000 EUR', '1800 USD', null],
    ['Lamp', '900 EUR', '950 EUR', 5.56],
    ['Chair', null, '500 EUR', null],
    ['Lamp', '1000 EUR', '900 EUR', -10],
  ])
  t.same(
    await feed({ direction: 'PRICE_DIRECTION_DOWN', min_change_percent: 10 }),
    [
      ['Desk', '1800 USD', '1000 USD', -44.44],
      ['Lamp', '1000 EUR', '900 EUR', -10],
    ],
    'drops of at least 10% (10% included)',
  )
  t.same(await feed({ direction: 'PRICE_DIRECTION_DOWN', min_change_percent: 10.01 }), [['Desk', '1800 USD', '1000 USD', -44.44]])
  t.same(await feed({ direction: 'PRICE_DIRECTION_UP' }), [['Lamp', '900 EUR', '950 EUR', 5.56]], 'rises')
  t.same(
    await feed({ min_change_percent: 5 }),
    [
      ['Desk', '1800 USD', '1000 USD', -44.44],
      ['Lamp', '900 EUR', '950 EUR', 5.56],
      ['Lamp', '1000 EUR', '900 EUR', -10],
    ],
    'either way',
  )
  t.same(await feed({ currency: 'USD' }), [
    ['Desk', '1800 USD', '1000 USD', -44.44],
    ['Desk', '2000 EUR', '1800 USD', null],
  ])
  t.same(
    await feed({ until: ts('2024-03-06T00:00:00.001Z') }),
    [['Chair', '500 EUR', null, null], ...(await feed())],
    'until is excluded, a removed price is a change',
  )

  const seen: string[] = []
  let cursor = ''
  for (let pages = 0; pages < 10; pages++) {
    const res = await cat.client.call('ListPriceChanges', { ...window, page: { size: 2, cursor } }, acme)
    seen.push(...res.changes.map((ch) => `${ch.title}@${iso(ch.changed_at).slice(0, 10)}`))
    cursor = res.page?.next_cursor ?? ''
    if (!cursor) break
  }
  t.same(
    seen,
    ['Desk@2024-03-05', 'Desk@2024-03-04', 'Lamp@2024-03-03', 'Chair@2024-03-02', 'Lamp@2024-03-02'],
    'pages of two walk the same order; changes of one instant by item id, descending',
  )
  t.ok(c > a, 'Chair before Lamp at the same instant: the larger id first')
})

t.test('pages stay in order and never repeat while prices keep changing', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const price = (n: number) => ({ amount_minor: String(n), currency: 'EUR' })
  const ids: string[] = []
  for (let i = 0; i < 8; i++) {
    const { item } = await cat.client.call(
      'CreateItem',
      { source: 'shop', external_id: `i${i}`, fields: fields({ price: price(1000 + i) }) },
      acme,
    )
    ids.push(item?.id ?? '')
  }
  let writing = true
  const writer = (async () => {
    for (let n = 0; writing; n++) {
      const id = ids[n % ids.length] ?? ''
      await cat.client.call(
        'UpdateItem',
        { id, fields: fields({ price: price(500 + n) }), update_mask: { paths: ['price'] } },
        acme,
      )
    }
  })()
  const keys: string[] = []
  const times: number[] = []
  let cursor = ''
  let pages = 0
  do {
    const res = await cat.client.call('ListPriceChanges', { page: { size: 3, cursor } }, acme)
    for (const ch of res.changes) {
      keys.push(`${ch.item_id}/${ch.item_version}`)
      times.push(new Date(iso(ch.changed_at)).getTime())
    }
    cursor = res.page?.next_cursor ?? ''
    pages++
  } while (cursor && pages < 200)
  writing = false
  await writer
  t.equal(new Set(keys).size, keys.length, 'no change twice')
  t.same(
    times,
    [...times].sort((x, y) => y - x),
    'newest first across pages',
  )
  for (const id of ids) t.ok(keys.includes(`${id}/1`), 'every first price, written before the walk, was seen')
})

t.test('windows, filters and cursors are checked by field', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const fieldsOf = async (req: Partial<catalog.ListPriceChangesRequest>) => {
    const err = await cat.client.call('ListPriceChanges', req, acme).catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT)
    return fieldViolationsOf(err).map((v) => v.field)
  }
  t.same(await fieldsOf({ since: ts('2024-03-02'), until: ts('2024-03-01') }), ['until'])
  t.same(await fieldsOf({ since: ts('2024-01-01'), until: ts('2024-04-02T00:00:00.001Z') }), ['since'], 'past 92 days')
  const quarter = await cat.client.call('ListPriceChanges', { since: ts('2024-01-01'), until: ts('2024-04-02') }, acme)
  t.same(quarter.changes, [], '92 days pass')
  t.same(await fieldsOf({ min_change_percent: -1 }), ['min_change_percent'])
  t.same(await fieldsOf({ min_change_percent: Number.NaN }), ['min_change_percent'])
  t.same(await fieldsOf({ currency: 'eur' }), ['currency'])
  t.same(await fieldsOf({ page: { size: -1 } }), ['page.size'])
  t.same(await fieldsOf({ page: { cursor: Buffer.from('{"t":"1","i":"x","v":"1"}').toString('base64url') } }), ['page.cursor'])
})
