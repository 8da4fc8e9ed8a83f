import { Metadata, status } from '@grpc/grpc-js'
import t from 'tap'
import { fields, startCatalog } from './helpers/catalog.ts'

t.test('tenant B never sees, changes or learns of tenant A items', async (t) => {
  const cat = await startCatalog(t)
  const a = cat.as('tenant-a')
  const b = cat.as('tenant-b')
  const { item } = await cat.client.call('CreateItem', { source: 'shop', external_id: 'sku-1', fields: fields() }, a)
  const id = item?.id ?? ''

  await t.rejects(cat.client.call('GetItem', { id }, b), { code: status.NOT_FOUND, details: `item ${id} not found` })
  await t.rejects(cat.client.call('UpdateItem', { id, fields: fields({ title: 'Mine now' }) }, b), { code: status.NOT_FOUND })
  await t.rejects(cat.client.call('DeleteItem', { id }, b), { code: status.NOT_FOUND })
  await t.rejects(cat.client.call('ListPriceHistory', { item_id: id }, b), { code: status.NOT_FOUND })
  const batch = await cat.client.call('BatchGetItems', { ids: [id] }, b)
  t.same(batch.items, [])
  t.same(batch.missing_ids, [id])

  const theirs = await cat.client.call('CreateItem', { source: 'shop', external_id: 'sku-1', fields: fields({ title: 'B' }) }, b)
  t.not(theirs.item?.id, id, 'the same natural key in another tenant is another item')
  const { item: mine } = await cat.client.call('GetItem', { id }, a)
  t.equal(mine?.title, item?.title, "A's item is untouched")
  t.equal(mine?.version, '1')
})

t.test('a call without a forwarded principal is UNAUTHENTICATED', async (t) => {
  const cat = await startCatalog(t)
  await t.rejects(cat.client.call('GetItem', { id: '00000000-0000-4000-8000-000000000000' }), { code: status.UNAUTHENTICATED })
  const md = new Metadata()
  md.set('x-principal-tenant', 'bad tenant with spaces')
  await t.rejects(cat.client.call('GetItem', { id: '00000000-0000-4000-8000-000000000000' }, { metadata: md }), {
    code: status.UNAUTHENTICATED,
  })
})

t.test('only the gateway may call the catalog', async (t) => {
  const cat = await startCatalog(t)
  const search = cat.clientAs('search')
  await t.rejects(search.call('GetItem', { id: '00000000-0000-4000-8000-000000000000' }, cat.as('acme')), {
    code: status.PERMISSION_DENIED,
  })
})
