import type { Kafka } from '@catalog/kit'
import { createMetrics, readCloudEvent } from '@catalog/kit'
import { silentLogger, pollUntil as until } from '@catalog/kit/testing'
import { events } from '@catalog/proto'
import t from 'tap'
import { testRelays } from '../src/testing.ts'
import { fields, startCatalog } from './helpers/catalog.ts'

const _log = silentLogger()

interface Seen {
  ceId: string
  key: string
  version: string
}

/** Reads catalog.item.v1 from the start, keeping the events of `tenant`, until `done` says so. */
async function readItemEvents(kafka: Kafka, tenant: string, done: (seen: Seen[]) => boolean): Promise<Seen[]> {
  const consumer = kafka.consumer({ groupId: `test-${tenant}` })
  await consumer.connect()
  await consumer.subscribe({ topic: events.TOPICS.item, fromBeginning: true })
  const seen: Seen[] = []
  let resolveDone: () => void = () => undefined
  const finished = new Promise<void>((resolve) => {
    resolveDone = resolve
  })
  await consumer.run({
    eachMessage: async ({ message }) => {
      const ce = readCloudEvent(message.headers)
      if (ce.type !== events.TYPES.itemUpserted || !message.value) return
      const item = events.itemUpserted.decode(message.value).item
      if (item?.tenant !== tenant) return
      seen.push({ ceId: ce.id ?? '', key: message.key?.toString() ?? '', version: item.version })
      if (done(seen)) resolveDone()
    },
  })
  const timeout = setTimeout(resolveDone, 30_000)
  await finished
  clearTimeout(timeout)
  await consumer.disconnect()
  return seen
}

t.test('many concurrent writers: every event reaches Kafka, in order per item, none skipped', async (t) => {
  const cat = await startCatalog(t)
  const { kafka, relay } = await testRelays(t, cat.pool, { clientId: 'relay-test', pollMs: 200 })
  relay().start()

  const tenant = `relay-${Date.now()}`
  const as = cat.as(tenant)
  // 16 writers, 30 writes each, over 12 items: transactions on different items commit in any
  // order, so rows with lower ids often commit after rows with higher ones.
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; i < 30; i++) {
        const n = (w * 7 + i) % 12
        await cat.client.call(
          'UpsertItem',
          { source: 's', external_id: `item-${n}`, fields: fields({ title: `w${w} i${i}` }) },
          as,
        )
      }
    }),
  )
  await until(async () => (await cat.pool.query('SELECT 1 FROM outbox_events LIMIT 1')).rowCount === 0)
  t.pass('published events leave the outbox')

  // Every write changed its item (each title is new), so there were 480 item events, and each
  // item's versions run from 1 without a gap.
  const expected = 16 * 30
  const seen = await readItemEvents(kafka, tenant, (s) => new Set(s.map((e) => e.ceId)).size >= expected)
  const ids = new Set(seen.map((e) => e.ceId))
  t.equal(ids.size, expected, `all ${expected} events arrived`)
  const versions = new Map<string, Set<string>>()
  for (const e of seen) versions.set(e.key, (versions.get(e.key) ?? new Set()).add(e.version))
  t.ok(
    [...versions.values()].every((v) => [...v].every((version) => Number(version) >= 1 && Number(version) <= v.size)),
    'no event was skipped: each item has every version from 1 to its last',
  )
  const byKey = new Map<string, bigint[]>()
  for (const e of seen) byKey.set(e.key, [...(byKey.get(e.key) ?? []), BigInt(e.version)])
  t.ok(
    [...byKey.values()].every((versions) => versions.every((v, i) => i === 0 || v > (versions[i - 1] as bigint))),
    'each item’s versions arrive in increasing order',
  )
})

t.test('a relay that dies after the broker acked, before marking, publishes again: twice, never zero times', async (t) => {
  const cat = await startCatalog(t)
  const relays = await testRelays(t, cat.pool, { clientId: 'relay-crash-test', pollMs: 100 })
  const real = relays.producer
  let crashes = 1
  const dying = {
    ...real,
    sendBatch: async (batch: Parameters<typeof real.sendBatch>[0]) => {
      const result = await real.sendBatch(batch)
      if (crashes-- > 0) throw new Error('relay died after the send')
      return result
    },
  } as typeof real
  const tenant = `crash-${Date.now()}`
  for (let i = 0; i < 5; i++) {
    await cat.client.call('CreateItem', { source: 's', external_id: `x${i}`, fields: fields() }, cat.as(tenant))
  }
  relays.relay({ producer: dying }).start()
  await until(async () => (await cat.pool.query('SELECT 1 FROM outbox_events LIMIT 1')).rowCount === 0)
  const seen = await readItemEvents(relays.kafka, tenant, (s) => s.length >= 10)
  t.equal(new Set(seen.map((e) => e.ceId)).size, 5, 'every event arrived')
  t.equal(seen.length, 10, 'each twice: the crash made duplicates, which consumers drop by ce_id')
})

t.test('only one relay publishes at a time; another takes over when it stops', async (t) => {
  const cat = await startCatalog(t)
  const { relay } = await testRelays(t, cat.pool, { clientId: 'relay-leader-test' })
  const a = relay()
  const b = relay()
  a.start()
  await until(async () => a.leader)
  b.start()
  await b.tick()
  t.equal(b.leader, false, 'the second relay stands by')
  await a.stop()
  await until(async () => b.leader)
  t.pass('the standby took over')
})

t.test('a write wakes the relay at once: no NOTIFY in the writing transaction, no wait for the poll', async (t) => {
  const cat = await startCatalog(t)
  const triggers = await cat.pool.query("SELECT 1 FROM pg_trigger WHERE tgname = 'outbox_notify'")
  t.equal(triggers.rowCount, 0, 'commits take no notification lock')
  // Polls once a minute: only a wake can publish within the test's deadline.
  const { kafka, relay } = await testRelays(t, cat.pool, { clientId: 'relay-wake-test', pollMs: 60_000 })
  const leader = relay()
  const standby = relay()
  leader.start()
  await until(async () => leader.leader)
  standby.start()
  await standby.tick()
  t.equal(standby.leader, false)
  const waiting = async () => (await cat.pool.query('SELECT 1 FROM outbox_events LIMIT 1')).rowCount ?? 0

  const tenant = `wake-${Date.now()}`
  await cat.client.call('CreateItem', { source: 's', external_id: 'a', fields: fields() }, cat.as(tenant))
  t.ok((await waiting()) > 0, 'the event waits in the outbox')
  leader.wake()
  await until(async () => (await waiting()) === 0, Boolean, 10_000)
  t.pass("the leader's own wake published it")

  await cat.client.call('CreateItem', { source: 's', external_id: 'b', fields: fields() }, cat.as(tenant))
  standby.wake()
  await until(async () => (await waiting()) === 0, Boolean, 10_000)
  t.pass("a standby's wake reached the leader by NOTIFY")
  const seen = await readItemEvents(kafka, tenant, (s) => s.length >= 2)
  t.equal(seen.length, 2, 'both events arrived')
})

t.test('events a previous release wrote to the old outbox are published first, then marked', async (t) => {
  const cat = await startCatalog(t)
  const tenant = `legacy-${Date.now()}`
  // One item, so both events share a key and a partition: only there is their order observable.
  const { item } = await cat.client.call('CreateItem', { source: 's', external_id: 'new', fields: fields() }, cat.as(tenant))
  const id = item?.id ?? ''
  // Written after the new event, as a previous-release replica would during the rollout.
  const payload = events.itemUpserted.encode({
    item: { id, tenant, source: 's', external_id: 'new', title: 'Old', version: '0' },
  })
  await cat.pool.query(
    `INSERT INTO outbox (event_id, topic, key, type, tenant, payload) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`,
    [events.TOPICS.item, id, events.TYPES.itemUpserted, tenant, payload],
  )
  const { kafka, relay } = await testRelays(t, cat.pool, { clientId: 'relay-legacy-test', pollMs: 100 })
  relay().start()
  const seen = await readItemEvents(kafka, tenant, (s) => s.length >= 2)
  t.same(
    seen.map((e) => e.version),
    ['0', '1'],
    'the old outbox drains first',
  )
  const left = await cat.pool.query('SELECT 1 FROM outbox WHERE published_at IS NULL')
  t.equal(left.rowCount, 0, 'the old row is marked published')
})

t.test('the backlog gauge counts waiting events by index lookups, and their age', async (t) => {
  const cat = await startCatalog(t)
  const metrics = createMetrics({ service: 't', defaultMetrics: false })
  // Never started: the gauge reads the outbox as a standby would.
  ;(await testRelays(t, cat.pool, { clientId: 'relay-gauge-test' })).relay({ metrics })
  const backlog = async () => {
    const gauge = (await metrics.registry.getSingleMetric('outbox_backlog')?.get())?.values ?? []
    return Object.fromEntries(gauge.map((v) => [v.labels.measure, v.value]))
  }
  t.same(await backlog(), { events: 0, oldest_age_seconds: 0 })
  const tenant = `gauge-${Date.now()}`
  for (const id of ['a', 'b', 'c'])
    await cat.client.call('CreateItem', { source: 's', external_id: id, fields: fields() }, cat.as(tenant))
  const now = await backlog()
  t.equal(now.events, 6, 'three item events and three price events')
  t.ok((now.oldest_age_seconds ?? -1) >= 0)
})
