import type { KafkaMessage } from '@catalog/kit'
import { createIdempotentProducer, createKafka, createMetrics, ensureTopics, PLATFORM_TOPICS } from '@catalog/kit'
import { pollUntil, readDeadLetters, silentLogger, testKafka } from '@catalog/kit/testing'
import { events } from '@catalog/proto'
import t from 'tap'
import { startIndexer } from '../src/indexer/start-indexer.ts'
import { eachEngine } from './helpers/engines.ts'
import { deleted, startAtEnd, startSearch, upserted } from './helpers/search.ts'

const log = silentLogger()

eachEngine(
  'the index follows versions: newer applies, older and equal change nothing, deletes leave tombstones',
  async (t, engine) => {
    const s = await startSearch(t, { engine })
    const acme = s.as('acme')
    const find = async (q: string) => (await s.client.call('Search', { q }, acme)).hits.map((h) => [h.title, h.version])

    const v1 = upserted({ title: 'Lantern one', version: 1 })
    await s.index(v1)
    t.same(await find('lantern'), [['Lantern one', '1']])
    await s.index(upserted({ id: v1.id, title: 'Lantern three', version: 3 }))
    await s.index(upserted({ id: v1.id, title: 'Lantern two', version: 2 }), v1)
    t.same(await find('lantern'), [['Lantern three', '3']], 'older and repeated events are skipped')

    await s.index(deleted(v1.id, 4))
    t.same(await find('lantern'), [], 'a delete removes the item from results')
    await s.index(upserted({ id: v1.id, title: 'Lantern zombie', version: 3 }))
    t.same(await find('lantern'), [], 'an older event arriving late cannot revive it')
    await s.index(upserted({ id: v1.id, title: 'Lantern reborn', version: 5 }))
    t.same(await find('lantern'), [['Lantern reborn', '5']], 'a newer write brings it back')
  },
)

eachEngine('a republished event applies at the version the row holds, and never brings back an older one', async (t, engine) => {
  const s = await startSearch(t, { engine })
  const acme = s.as('acme')
  const republished = <M extends KafkaMessage>(m: M): M => Object.assign(m, { headers: { ...m.headers, republished: 'true' } })
  const hit = async () => (await s.client.call('Search', { q: 'lantern' }, acme)).hits.map((h) => [h.title, h.source, h.version])

  const v2 = upserted({ title: 'Lantern', version: 2, source: '' })
  await s.index(v2)
  t.same(await hit(), [['Lantern', '', '2']], 'indexed as an older release kept it')
  await s.index(upserted({ id: v2.id, title: 'Lantern', version: 2, source: 'shop' }))
  t.same(await hit(), [['Lantern', '', '2']], 'an ordinary event at the same version changes nothing')
  await s.index(republished(upserted({ id: v2.id, title: 'Lantern', version: 2, source: 'shop' })))
  t.same(await hit(), [['Lantern', 'shop', '2']], 'republished at the same version: rebuilt')
  await s.index(republished(upserted({ id: v2.id, title: 'Lantern old', version: 1, source: 'old' })))
  t.same(await hit(), [['Lantern', 'shop', '2']], 'republished at an older version: skipped')
  await s.index(deleted(v2.id, 3))
  await s.index(republished(upserted({ id: v2.id, title: 'Lantern', version: 2, source: 'shop' })))
  t.same(await hit(), [], 'nor does it revive a deleted item')
})

eachEngine(
  'within one batch the newest event of an item wins, whatever the order, and other items apply beside it',
  async (t, engine) => {
    const s = await startSearch(t, { engine })
    const acme = s.as('acme')
    const find = async (q: string) => (await s.client.call('Search', { q }, acme)).hits.map((h) => [h.title, h.version]).sort()
    const a = upserted({ title: 'Kettle one', version: 1 })
    const b = upserted({ title: 'Kettle bee', version: 1 })
    await s.index(
      upserted({ id: a.id, title: 'Kettle three', version: 3 }),
      a,
      b,
      upserted({ id: a.id, title: 'Kettle two', version: 2 }),
    )
    t.same(await find('kettle'), [
      ['Kettle bee', '1'],
      ['Kettle three', '3'],
    ])
    await s.index(deleted(b.id, 2), upserted({ id: b.id, title: 'Kettle bee again', version: 1 }))
    t.same(await find('kettle'), [['Kettle three', '3']], 'a delete newer than an upsert in the same batch wins')
  },
)

eachEngine('replaying the same events in the same order yields the same index', async (t, engine) => {
  const s = await startSearch(t, { engine })
  const a = upserted({ title: 'Alpha', version: 1, tags: ['x'] })
  const events = [
    a,
    upserted({ id: a.id, title: 'Alpha prime', version: 2, tags: ['y'] }),
    upserted({ title: 'Beta' }),
    deleted(a.id, 3),
  ]
  await s.index(...events)
  const first = await s.snapshot()
  t.equal(first.length, 2, 'both items, the deleted one as a tombstone')
  await s.index(...events)
  await s.index(...events.slice(1))
  t.same(await s.snapshot(), first)
})

eachEngine('an event naming another tenant than the indexed item is refused: no row moves across tenants', async (t, engine) => {
  const s = await startSearch(t, { engine })
  const find = async (tenant: string, q: string) =>
    (await s.client.call('Search', { q }, s.as(tenant))).hits.map((h) => [h.title, h.version])
  const mine = upserted({ title: 'Teapot mine', version: 1 })
  await s.index(mine)
  await s.index(upserted({ id: mine.id, tenant: 'evil', title: 'Teapot stolen', version: 5 }))
  t.same(await find('acme', 'teapot'), [['Teapot mine', '1']], 'the owner’s row is unchanged')
  t.same(await find('evil', 'teapot'), [], 'the other tenant sees nothing')
  await s.index(deleted(mine.id, 6, 'evil'), upserted({ title: 'Teapot other', version: 1 }))
  t.same(
    (await find('acme', 'teapot')).sort(),
    [
      ['Teapot mine', '1'],
      ['Teapot other', '1'],
    ],
    'a foreign delete removes nothing; the rest of its batch applies',
  )
  const refused = await s.metrics.registry.getSingleMetric('search_index_refused_total')?.get()
  t.equal(refused?.values[0]?.value, 2, 'each refusal is counted')
  await s.index(upserted({ id: mine.id, title: 'Teapot renamed', version: 7 }))
  t.same(await find('acme', 'teapot renamed'), [['Teapot renamed', '7']], 'the owner’s next write applies')
})

eachEngine(
  'an event that cannot be decoded is poison: the consumer sends it to the DLQ instead of retrying',
  async (t, engine) => {
    const s = await startSearch(t, { engine })
    const garbage = { ...deleted('00000000-0000-4000-8000-000000000001', 1), value: Buffer.from([0xff, 0xff, 0xff, 0x0f]) }
    const err = await s.index(garbage).catch((e: unknown) => e)
    t.equal((err as { poison?: boolean }).poison, true)
    t.same(await s.snapshot(), [], 'and it wrote nothing')
  },
)

t.test('an event the index refuses every time goes to the DLQ after maxAttempts; its partition moves on', async (t) => {
  const s = await startSearch(t, { engine: 'postgres' })
  const kafka = createKafka({ ...testKafka(), clientId: 'indexer-test', log })
  await ensureTopics(kafka, PLATFORM_TOPICS)
  const group = `search-indexer-${Date.now()}`
  const dlqGroup = `dlq-reader-${group}`
  await startAtEnd(kafka, group, events.TOPICS.item)
  await startAtEnd(kafka, dlqGroup, 'catalog.item.dlq.v1')
  const indexer = await startIndexer(kafka, {
    engine: s.engine,
    log,
    metrics: createMetrics({ service: 's', defaultMetrics: false }),
    groupId: group,
    createTopics: false,
    maxAttempts: 2,
  })
  t.teardown(() => indexer.stop())
  const producer = await createIdempotentProducer(kafka, log)
  t.teardown(() => producer.disconnect())

  // A NUL the catalog's rules would never let through: PostgreSQL refuses it on every attempt.
  const stuck = upserted({ title: 'Lamp \u0000 stuck' })
  const around = [upserted({ title: 'Lamp before' }), upserted({ title: 'Lamp after' })]
  // One key: one partition, in this order.
  await producer.send({
    topic: events.TOPICS.item,
    acks: -1,
    messages: [around[0], stuck, around[1]].map((m) => ({ key: group, value: m?.value ?? null, headers: m?.headers ?? {} })),
  })
  const indexed = () =>
    s.pool
      .query<{ title: string }>('SELECT title FROM search_items WHERE id = ANY($1) ORDER BY title', [
        [...around, stuck].map((m) => m.id),
      ])
      .then((r) => r.rows.map((row) => row.title))
  t.same(
    await pollUntil(indexed, (titles) => titles.length === 2, 60_000),
    ['Lamp after', 'Lamp before'],
    'the events around it apply',
  )

  const dead = await readDeadLetters(t, kafka, { topic: 'catalog.item.dlq.v1', readerGroup: dlqGroup, group })
  t.equal(dead.length, 1, 'the refused event, alone, is in the DLQ')
  t.equal(events.itemUpserted.decode(dead[0]?.value ?? Buffer.alloc(0)).item?.id, stuck.id, 'as it was sent')
  t.match(dead[0]?.headers?.['dlq-reason']?.toString(), /Unicode|\\u0000/, "with the database's reason")
  t.equal(dead[0]?.headers?.['dlq-attempts']?.toString(), '2')
})
