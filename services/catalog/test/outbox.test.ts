import { events, structToJson } from '@catalog/proto'
import t from 'tap'
import type { EventData } from '../src/items/item-events.ts'
import { encodeItemEvent } from '../src/items/item-events.ts'
import { fields, startCatalog } from './helpers/catalog.ts'

interface OutboxRow {
  topic: string
  key: string
  type: string
  tenant: string
  data: EventData
  event_id: string
  /** What the relay publishes. */
  payload: Buffer
}

t.test('every change writes its events in the same transaction, one for one', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  let seen = 0
  const newRows = async () => {
    const { rows } = await cat.pool.query<OutboxRow>(
      'SELECT topic, key, type, tenant, data, event_id FROM outbox_events ORDER BY id OFFSET $1',
      [seen],
    )
    seen += rows.length
    return rows.map((r) => ({ ...r, payload: encodeItemEvent(r.type, r.data) }))
  }

  const { item } = await cat.client.call('CreateItem', { source: 's', external_id: 'x', fields: fields() }, acme)
  const id = item?.id ?? ''
  const created = await newRows()
  t.same(
    created.map((r) => [r.topic, r.type, r.key, r.tenant]),
    [
      ['catalog.item.v1', 'item.upserted', id, 'acme'],
      ['catalog.price.v1', 'price.changed', id, 'acme'],
    ],
  )
  const snapshot = events.itemUpserted.decode(created[0]?.payload ?? Buffer.alloc(0))
  t.equal(snapshot.item?.version, '1')
  t.same(structToJson(snapshot.item?.attributes), { platform: 'pc' }, 'the event carries the full item')
  const price = events.priceChanged.decode(created[1]?.payload ?? Buffer.alloc(0))
  t.equal(price.previous, null)
  t.same(price.current, { amount_minor: '999', currency: 'EUR' })

  await cat.client.call('UpdateItem', { id, fields: { title: 'Renamed' }, update_mask: { paths: ['title'] } }, acme)
  const renamed = await newRows()
  t.same(
    renamed.map((r) => r.type),
    ['item.upserted'],
    'a change that keeps the price emits no price event',
  )
  t.equal(events.itemUpserted.decode(renamed[0]?.payload ?? Buffer.alloc(0)).item?.version, '2')

  await cat.client.call('UpdateItem', { id, fields: { title: 'Renamed' }, update_mask: { paths: ['title'] } }, acme)
  t.same(await newRows(), [], 'a no-op emits nothing')

  await cat.client
    .call('UpdateItem', { id, fields: { title: 'x' }, update_mask: { paths: ['title'] }, expected_version: '1' }, acme)
    .catch(() => undefined)
  t.same(await newRows(), [], 'a refused write emits nothing')

  await cat.client.call(
    'UpdateItem',
    { id, fields: { price: { amount_minor: '500', currency: 'EUR' } }, update_mask: { paths: ['price'] } },
    acme,
  )
  const repriced = await newRows()
  t.same(
    repriced.map((r) => r.type),
    ['item.upserted', 'price.changed'],
  )
  const change = events.priceChanged.decode(repriced[1]?.payload ?? Buffer.alloc(0))
  t.same([change.previous?.amount_minor, change.current?.amount_minor, change.item_version], ['999', '500', '3'])

  await cat.client.call('DeleteItem', { id }, acme)
  const deleted = await newRows()
  t.same(
    deleted.map((r) => r.type),
    ['item.deleted'],
  )
  const tomb = events.itemDeleted.decode(deleted[0]?.payload ?? Buffer.alloc(0))
  t.same([tomb.id, tomb.tenant, tomb.version], [id, 'acme', '4'])

  const ids = await cat.pool.query<{ n: number; d: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM outbox_events',
  )
  t.equal(ids.rows[0]?.n, ids.rows[0]?.d, 'every event has its own id')
})

t.test('concurrent upserts of one key make one item and one event per real change', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const results = await Promise.all(
    Array.from({ length: 12 }, () => cat.client.call('UpsertItem', { source: 's', external_id: 'same', fields: fields() }, acme)),
  )
  t.equal(new Set(results.map((r) => r.item?.id)).size, 1)
  t.equal(results.filter((r) => r.created).length, 1)
  t.ok(results.every((r) => r.item?.version === '1'))
  const { rows } = await cat.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM outbox_events WHERE type = 'item.upserted'",
  )
  t.equal(rows[0]?.n, 1)
})
