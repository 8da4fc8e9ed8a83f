import { fieldViolationsOf } from '@catalog/kit'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { startCatalog } from './helpers/catalog.ts'
import { iso, priceless, ts, writeHistory } from './helpers/price-history.ts'

t.test('a window pages by change time in either order, from inclusive and to excluded', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const id = await priceless(cat, 'acme', 'lamp')
  await writeHistory(cat.pool, 'acme', id, [
    ['2023-12-31T23:59:59.999Z', 100],
    ['2024-01-01T00:00:00.000Z', 200], // exactly `from`: in
    ['2024-02-29T12:00:00.000100Z', 300], // microseconds apart: a millisecond cursor would skip one
    ['2024-02-29T12:00:00.000200Z', 400],
    ['2024-06-30T00:00:00.000Z', null],
    ['2025-01-01T00:00:00.000Z', 600], // exactly `to`: out
  ])
  const window = { from: ts('2024-01-01'), to: ts('2025-01-01') }
  const walk = async (order: 'PRICE_ORDER_NEWEST_FIRST' | 'PRICE_ORDER_OLDEST_FIRST' | 'PRICE_ORDER_UNSPECIFIED') => {
    const seen: (string | null)[] = []
    let cursor = ''
    let pages = 0
    do {
      const res = await cat.client.call('ListPriceHistory', { item_id: id, ...window, order, page: { size: 1, cursor } }, acme)
      seen.push(...res.prices.map((p) => p.price?.amount_minor ?? null))
      cursor = res.page?.next_cursor ?? ''
      pages++
    } while (cursor && pages < 20)
    return seen
  }
  t.same(await walk('PRICE_ORDER_NEWEST_FIRST'), [null, '400', '300', '200'], 'newest first, one per page')
  t.same(await walk('PRICE_ORDER_UNSPECIFIED'), [null, '400', '300', '200'], 'a window alone is newest first')
  t.same(await walk('PRICE_ORDER_OLDEST_FIRST'), ['200', '300', '400', null], 'oldest first')

  const first = await cat.client.call('ListPriceHistory', { item_id: id, ...window, page: { size: 1 } }, acme)
  t.same(iso(first.prices[0]?.changed_at), '2024-06-30T00:00:00.000Z')
  t.same(first.prices[0]?.item_version, '6')

  const open = await cat.client.call('ListPriceHistory', { item_id: id, from: ts('2024-06-01') }, acme)
  t.same(
    open.prices.map((p) => p.price?.amount_minor ?? null),
    ['600', null],
    'only from: up to the last',
  )
  const untilOnly = await cat.client.call('ListPriceHistory', { item_id: id, to: ts('2024-01-01') }, acme)
  t.same(
    untilOnly.prices.map((p) => p.price?.amount_minor),
    ['100'],
    'only to: from the first',
  )
  const plain = await cat.client.call('ListPriceHistory', { item_id: id }, acme)
  t.same(
    plain.prices.map((p) => p.item_version),
    ['7', '6', '5', '4', '3', '2'],
    'without a window or an order: newest first by version, as before',
  )
})

t.test('window bounds and cursors are checked by field; another tenant gets NOT_FOUND', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const id = await priceless(cat, 'acme', 'lamp')
  await writeHistory(cat.pool, 'acme', id, [
    ['2024-01-01T00:00:00Z', 100],
    ['2024-01-02T00:00:00Z', 200],
  ])
  const fieldsOf = async (req: object) => {
    const err = await cat.client.call('ListPriceHistory', { item_id: id, ...req }, acme).catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT)
    return fieldViolationsOf(err).map((v) => v.field)
  }
  t.same(await fieldsOf({ from: ts('2024-02-01'), to: ts('2024-01-01') }), ['to'])
  t.same(await fieldsOf({ from: ts('2024-01-01'), to: ts('2024-01-01') }), ['to'], 'an empty window is refused')
  t.same(await fieldsOf({ from: { seconds: '-99999999999', nanos: 0 } }), ['from'])
  const desc = await cat.client.call('ListPriceHistory', { item_id: id, from: ts('2024-01-01'), page: { size: 1 } }, acme)
  const cursor = desc.page?.next_cursor ?? ''
  t.ok(cursor)
  t.same(
    await fieldsOf({ from: ts('2024-01-01'), order: 'PRICE_ORDER_OLDEST_FIRST', page: { cursor } }),
    ['page.cursor'],
    'a newest-first cursor does not walk oldest first',
  )
  t.same(await fieldsOf({ page: { cursor } }), ['page.cursor'], 'nor a page by version')

  for (const tenant of ['globex', 'acme']) {
    const itemId = tenant === 'acme' ? '00000000-0000-4000-8000-000000000000' : id
    const err = await cat.client
      .call('ListPriceHistory', { item_id: itemId, from: ts('2024-01-01') }, cat.as(tenant))
      .catch((e) => e)
    t.equal(err.code, status.NOT_FOUND, `${tenant}: NOT_FOUND`)
    t.equal(err.details, `item ${itemId} not found`, 'the same answer as for an unknown id')
  }
  const empty = await cat.client.call('ListPriceHistory', { item_id: id, from: ts('2030-01-01') }, acme)
  t.same([empty.prices, empty.page?.next_cursor], [[], ''], 'a live item with no price in the window: an empty page')
})
