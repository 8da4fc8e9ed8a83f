import { fieldViolationsOf } from '@catalog/kit'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { countRows, fields, startCatalog } from './helpers/catalog.ts'

t.test('price history: one row per change, newest first, paged by cursor', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const upsert = (amount: string | null, title = 'Lamp') =>
    cat.client.call(
      'UpsertItem',
      {
        source: 'shop',
        external_id: 'lamp',
        fields: fields({ title, price: amount ? { amount_minor: amount, currency: 'EUR' } : null }),
      },
      acme,
    )
  const { item } = await upsert('1000')
  await upsert('1000', 'Desk lamp') // a change, but not of the price
  await upsert('900')
  await upsert(null)
  await upsert('1200')
  await upsert('1200') // a no-op
  const id = item?.id ?? ''
  t.equal(await countRows(cat.pool, 'price_history'), 4)

  const all = await cat.client.call('ListPriceHistory', { item_id: id }, acme)
  t.same(
    all.prices.map((p) => [p.item_version, p.price?.amount_minor ?? null]),
    [
      ['5', '1200'],
      ['4', null],
      ['3', '900'],
      ['1', '1000'],
    ],
  )
  t.equal(all.page?.next_cursor, '')

  const seen: string[] = []
  let cursor = ''
  let pages = 0
  do {
    const page = await cat.client.call('ListPriceHistory', { item_id: id, page: { size: 3, cursor } }, acme)
    seen.push(...page.prices.map((p) => p.item_version))
    cursor = page.page?.next_cursor ?? ''
    pages++
  } while (cursor && pages < 10)
  t.same(seen, ['5', '4', '3', '1'], 'pages cover every change once, in order')
  t.equal(pages, 2)
})

t.test('page requests out of bounds and forged cursors are INVALID_ARGUMENT', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const { item } = await cat.client.call('CreateItem', { source: 's', external_id: 'a', fields: fields() }, acme)
  const { item: other } = await cat.client.call('CreateItem', { source: 's', external_id: 'b', fields: fields() }, acme)
  const id = item?.id ?? ''
  const fieldOf = async (page: { size?: number; cursor?: string }, itemId = id) => {
    const err = await cat.client.call('ListPriceHistory', { item_id: itemId, page }, acme).catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT)
    return fieldViolationsOf(err).map((v) => v.field)
  }
  t.same(await fieldOf({ size: -1 }), ['page.size'])
  t.same(await fieldOf({ cursor: 'not a cursor!' }), ['page.cursor'])
  t.same(await fieldOf({ cursor: Buffer.from('{"i":1}').toString('base64url') }), ['page.cursor'])
  t.same(await fieldOf({ cursor: Buffer.from(`{"i":"${id}","v":"1 OR 1=1"}`).toString('base64url') }), ['page.cursor'])
  const foreign = Buffer.from(JSON.stringify({ i: other?.id, v: '5' })).toString('base64url')
  t.same(await fieldOf({ cursor: foreign }), ['page.cursor'], "another item's cursor does not page this one")
  const huge = await cat.client.call('ListPriceHistory', { item_id: id, page: { size: 1_000_000 } }, acme)
  t.equal(huge.prices.length, 1, 'a huge page size is capped, not refused')
})
