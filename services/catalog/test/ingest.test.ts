import { randomUUID } from 'node:crypto'
import type { Kafka, KafkaMessage, Pool } from '@catalog/kit'
import {
  createIdempotentProducer,
  createKafka,
  createMetrics,
  deadLetterId,
  ensureTopics,
  PLATFORM_TOPICS,
  readCloudEvent,
} from '@catalog/kit'
import { pollUntil, readDeadLetters, silentLogger, startAtEnd, testKafka } from '@catalog/kit/testing'
import type { catalog } from '@catalog/proto'
import { events } from '@catalog/proto'
import t from 'tap'
import { createIngestApplier, startIngestConsumer } from '../src/ingest/ingest-consumer.ts'
import { countRows, fields, startCatalog } from './helpers/catalog.ts'

const log = silentLogger()

/** A catalog of its own, the test Kafka with the platform topics, and the ingest applier writing to both. */
const startApplier = async (t: Parameters<typeof startCatalog>[0]) => {
  const cat = await startCatalog(t)
  const kafka = createKafka({ ...testKafka(), clientId: 'ingest-test', log })
  await ensureTopics(kafka, PLATFORM_TOPICS)
  const producer = await createIdempotentProducer(kafka, log)
  t.teardown(() => producer.disconnect())
  // A new applier is what a restarted catalog would run.
  const newApplier = () => {
    const metrics = createMetrics({ service: 't', defaultMetrics: false })
    const handle = createIngestApplier({ pool: cat.pool, producer, log, metrics, groupId: 'catalog-ingest' })
    return Object.assign((batch: KafkaMessage[]) => handle(batch, from), { metrics })
  }
  return { cat, kafka, apply: newApplier(), newApplier }
}

/** Where the records below claim to come from. */
const from = { topic: events.INGESTION_TOPICS.record, partition: 0 }

/** Reads the catalog's record.rejected events of `job` from ingestion.record.dlq.v1 as they arrive. */
async function readRejections(t: Parameters<typeof startCatalog>[0], kafka: Kafka, job: string) {
  const consumer = kafka.consumer({ groupId: `dlq-reader-${job}` })
  await consumer.connect()
  await consumer.subscribe({ topic: events.INGESTION_TOPICS.recordDlq, fromBeginning: true })
  const seen: { tenant: string; reason: string; field: string; position: string; id: string; time: string }[] = []
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value || message.headers?.['dlq-job']?.toString() !== job) return
      const rejected = events.recordRejected.decode(message.value)
      const { id, time } = readCloudEvent(message.headers)
      seen.push({
        tenant: rejected.tenant,
        reason: message.headers?.['dlq-reason']?.toString() ?? '',
        field: rejected.error?.field ?? '',
        position: rejected.error?.position ?? '',
        id: id ?? '',
        time: time ?? '',
      })
    },
  })
  t.teardown(() => consumer.disconnect())
  return seen
}

/** The catalog's totals of `job` as catalog.ingest.v1 carries them, by partition, the latest of each. */
async function readProgress(t: Parameters<typeof startCatalog>[0], kafka: Kafka, job: string) {
  const consumer = kafka.consumer({ groupId: `progress-reader-${job}` })
  await consumer.connect()
  await consumer.subscribe({ topic: events.TOPICS.ingest, fromBeginning: true })
  const latest = new Map<
    number,
    { applied: string; rejected: string; through: string; tenant: string; type: string; group: string }
  >()
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() !== job || !message.value) return
      const p = events.ingestApplied.decode(message.value)
      const { type } = readCloudEvent(message.headers)
      latest.set(p.partition, {
        applied: p.applied,
        rejected: p.rejected,
        through: p.through_offset,
        tenant: p.tenant,
        type: type ?? '',
        group: p.group,
      })
    },
  })
  t.teardown(() => consumer.disconnect())
  return latest
}

/** The catalog's totals of `job` in ingest_progress, by partition. */
const progressRows = (pool: Pool, job: string) =>
  pool
    .query<{ partition: number; applied: string; rejected: string; through_offset: string }>(
      'SELECT partition, applied::text, rejected::text, through_offset::text FROM ingest_progress WHERE job_id = $1 ORDER BY partition',
      [job],
    )
    .then((r) => r.rows)

let offset = 0
const record = (
  tenant: string,
  externalId: string,
  over: Partial<catalog.ItemFields> = {},
  { key = `${tenant}/bulk/${externalId}`, job = 'job-1' } = {},
): KafkaMessage =>
  ({
    key: Buffer.from(key),
    value: events.recordSubmitted.encode({
      tenant,
      source: 'bulk',
      external_id: externalId,
      fields: fields(over),
      job_id: job,
      position: String(++offset),
    }),
    offset: String(offset),
    headers: {},
    timestamp: String(Date.now()),
    attributes: 0,
  }) as KafkaMessage

t.test('the ingest applier upserts a batch like single upserts, and re-applying it changes nothing', async (t) => {
  const { cat, apply } = await startApplier(t)
  const tenant = `ingest-${Date.now()}`
  const batch = Array.from({ length: 2_500 }, (_, i) => record(tenant, `e${i}`, { title: `Item ${i}` }))
  await apply(batch)
  t.equal(await countRows(cat.pool, 'items'), 2_500, 'every record became an item (across several statements)')
  t.equal(await countRows(cat.pool, 'price_history'), 2_500, 'each new priced item has its first price')
  t.equal(await countRows(cat.pool, 'outbox_events'), 5_000, 'an item event and a price event each')

  await apply(batch)
  t.equal(await countRows(cat.pool, 'outbox_events'), 5_000, 're-applying the same records emits nothing')
  const { rows: versions } = await cat.pool.query<{ max: string }>('SELECT max(version)::text AS max FROM items')
  t.equal(versions[0]?.max, '1', 'and keeps every version')

  // One record changes its price, another its title, and a key repeats: the last one wins.
  await apply([
    record(tenant, 'e1', { title: 'Item 1', price: { amount_minor: '1999', currency: 'EUR' } }),
    record(tenant, 'e2', { title: 'Item 2 (first edit)' }),
    record(tenant, 'e2', { title: 'Item 2 (second edit)' }),
  ])
  const got = await cat.client.call(
    'UpsertItem',
    { source: 'bulk', external_id: 'e2', fields: fields({ title: 'Item 2 (second edit)' }) },
    cat.as(tenant),
  )
  t.equal(got.changed, false, 'the last record of a repeated key is what the catalog holds')
  t.equal(got.item?.version, '2', 'and the repeated key changed the item once')
  const prices = await cat.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM price_history p JOIN items i ON i.id = p.item_id WHERE i.external_id = 'e1'`,
  )
  t.equal(prices.rows[0]?.n, 2, 'a moved price appends to the history')
  t.equal(await countRows(cat.pool, 'outbox_events'), 5_003, 'two item events and one price event')
})

t.test("each record counts once toward its job's totals, which go to catalog.ingest.v1 after the batch", async (t) => {
  const { cat, kafka, apply, newApplier } = await startApplier(t)
  const tenant = `ingest-count-${Date.now()}`
  const job = randomUUID()
  const other = randomUUID()
  const sent = await readProgress(t, kafka, job)
  const bad = { price: { amount_minor: '100', currency: 'XXY' } }
  const first = [
    record(tenant, 'a', {}, { job }),
    record(tenant, 'b', bad, { job }),
    record(tenant, 'c', {}, { job: other }),
    record(tenant, 'a', { title: 'a again' }, { job }),
  ]
  await apply(first)
  t.same(await progressRows(cat.pool, job), [{ partition: 0, applied: '2', rejected: '1', through_offset: first[3]?.offset }])
  t.same(
    (await progressRows(cat.pool, other)).map((r) => r.applied),
    ['1'],
    'each job its own',
  )
  // Delivered again after a crash, by a catalog started anew: nothing more.
  await newApplier()(first)
  // Delivered again in a batch of other bounds: only the records past the last counted.
  const second = [record(tenant, 'd', {}, { job }), record(tenant, 'e', bad, { job })]
  await apply([...first.slice(2), ...second])
  t.same(await progressRows(cat.pool, job), [{ partition: 0, applied: '3', rejected: '2', through_offset: second[1]?.offset }])
  // Records of no job (another writer of the topic) are applied and not counted; nor is a record
  // whose tenant cannot be trusted, whatever job it names.
  await apply([
    record(tenant, 'f', {}, { job: '' }),
    record(tenant, 'f', {}, { job: 'not-a-uuid' }),
    record('', 'h', {}, { job, key: `${tenant}/bulk/h` }),
    record(`${tenant}-x`, 'h', {}, { job, key: `${tenant}/bulk/h` }),
  ])
  t.equal(await countRows(cat.pool, 'ingest_progress'), 2)
  t.same(
    (await progressRows(cat.pool, job)).map((r) => [r.applied, r.rejected]),
    [['3', '2']],
    'the distrusted records count toward no job',
  )
  // Totals that have not moved for a week go with the partition's next counted batch.
  await cat.pool.query(`UPDATE ingest_progress SET updated_at = now() - interval '8 days' WHERE job_id = $1`, [other])
  await apply([record(tenant, 'g', {}, { job })])
  t.same(await progressRows(cat.pool, other), [], 'a week old: gone')
  const last = await pollUntil(
    async () => sent.get(0),
    (p) => p?.applied === '4',
    30_000,
  )
  t.same(
    last,
    { applied: '4', rejected: '2', through: offset.toString(), tenant, type: 'ingest.applied', group: 'catalog-ingest' },
    'the running totals, of the group that applied them',
  )
})

t.test('a record the catalog refuses goes to the DLQ with its reason; the rest of the batch lands', async (t) => {
  const { cat, kafka, apply, newApplier } = await startApplier(t)
  const tenant = `ingest-dlq-${Date.now()}`
  const job = `job-${tenant}`
  const seen = await readRejections(t, kafka, job)

  const bad = record(tenant, 'bad', { price: { amount_minor: '100', currency: 'XXY' } }, { job })
  await apply([record(tenant, 'good-1', {}, { job }), bad, record(tenant, 'good-2', {}, { job })])
  t.equal(await countRows(cat.pool, 'items'), 2, 'the good records landed')
  await pollUntil(
    () => seen.length,
    (n) => n > 0,
    20_000,
  )
  t.equal(seen.length, 1, 'the bad one is in the DLQ')
  t.equal(seen[0]?.field, 'price.currency', 'naming the field')
  t.match(seen[0]?.reason, /ISO 4217/, 'with the reason in a header')
  t.equal(
    seen[0]?.id,
    deadLetterId('record.rejected', { ...from, offset: bad.offset }),
    'as a CloudEvent with an id of its place',
  )
  t.ok(Number.isFinite(Date.parse(seen[0]?.time ?? '')), 'and a time')

  // A restarted catalog that reads the batch again rejects the record again, under the same id.
  await newApplier()([bad])
  await pollUntil(
    () => seen.length,
    (n) => n > 1,
    20_000,
  )
  t.equal(seen[1]?.id, seen[0]?.id, 'the copy has the same id: a reader of the DLQ drops it')
})

t.test("a record whose tenant is missing, malformed or not its key's is rejected and counted, never applied", async (t) => {
  const { cat, kafka, apply } = await startApplier(t)
  const tenant = `ingest-tenant-${Date.now()}`
  const job = `job-${tenant}`
  const seen = await readRejections(t, kafka, job)

  await apply([
    record(tenant, 'good', {}, { job }),
    record('', 'no-tenant', {}, { job, key: '/bulk/no-tenant' }),
    record('acme corp!', 'malformed', {}, { job, key: 'acme corp!/bulk/malformed' }),
    record(`other-${tenant}`, 'elsewhere', {}, { job, key: `${tenant}/bulk/elsewhere` }),
  ])
  const { rows } = await cat.pool.query<{ tenant: string; external_id: string }>('SELECT tenant, external_id FROM items')
  t.same(rows, [{ tenant, external_id: 'good' }], 'only the record with a trustworthy tenant is applied')
  await pollUntil(
    () => seen.length,
    (n) => n >= 3,
    20_000,
  )
  t.same(
    seen.map((r) => [r.tenant, r.field, r.reason]).sort(),
    [
      ['', 'tenant', 'tenant is missing'],
      ['acme corp!', 'tenant', 'tenant is not a well-formed tenant id'],
      [`other-${tenant}`, 'tenant', 'tenant is not the one the record key names'],
    ],
    'each goes to the DLQ with the tenant field and its reason',
  )
  const counted = async (name: string) => (await apply.metrics.registry.getSingleMetric(name)?.get())?.values ?? []
  t.equal((await counted('catalog_ingest_refused_total'))[0]?.value, 3, 'each refusal is counted')
  t.equal(
    (await counted('catalog_ingest_records_total')).find((v) => v.labels.outcome === 'rejected')?.value,
    3,
    'as a rejected record',
  )
})

t.test('a record the database refuses every time goes to the DLQ after maxAttempts; its partition moves on', async (t) => {
  const { cat, kafka } = await startApplier(t)
  const tenant = `ingest-stuck-${Date.now()}`
  const group = `catalog-ingest-${tenant}`
  const dlqGroup = `dlq-reader-${tenant}`
  await startAtEnd(kafka, group, events.INGESTION_TOPICS.record)
  await startAtEnd(kafka, dlqGroup, events.INGESTION_TOPICS.recordDlq)
  const producer = await createIdempotentProducer(kafka, log)
  t.teardown(() => producer.disconnect())
  const consumer = await startIngestConsumer(kafka, {
    pool: cat.pool,
    producer,
    log,
    metrics: createMetrics({ service: 't', defaultMetrics: false }),
    groupId: group,
    maxAttempts: 3,
  })
  t.teardown(() => consumer.stop())

  // A value the rules pass and the database refuses on every attempt (as a schema out of step would).
  await cat.pool.query(`ALTER TABLE items ADD CONSTRAINT refuses_stuck CHECK (external_id <> 'stuck')`)
  const job = randomUUID()
  const rejections = await readRejections(t, kafka, job)
  const stuck = record(tenant, 'stuck', {}, { job })
  // The rules refuse this one: its rejection must not go out again with each attempt of the batch.
  const invalid = record(tenant, 'invalid', { price: { amount_minor: '100', currency: 'XXY' } }, { job })
  // One message key: one partition, in this order.
  const key = `${tenant}/bulk`
  const [sent] = await producer.send({
    topic: events.INGESTION_TOPICS.record,
    acks: -1,
    messages: [record(tenant, 'before', {}, { job }), invalid, stuck, record(tenant, 'after', {}, { job })].map((m) => ({
      key,
      value: m.value,
    })),
  })
  const landed = () =>
    cat.pool
      .query<{ external_id: string }>('SELECT external_id FROM items WHERE tenant = $1 ORDER BY external_id', [tenant])
      .then((r) => r.rows.map((row) => row.external_id))
  t.same(await pollUntil(landed, (ids) => ids.length === 2, 60_000), ['after', 'before'], 'the records around it land')

  const dead = await readDeadLetters(t, kafka, { topic: events.INGESTION_TOPICS.recordDlq, readerGroup: dlqGroup, group })
  t.equal(dead.length, 1, 'the refused record, alone, is in the DLQ')
  t.equal(events.recordSubmitted.decode(dead[0]?.value ?? Buffer.alloc(0)).external_id, 'stuck', 'as it was sent')
  t.match(dead[0]?.headers?.['dlq-reason']?.toString(), /violates check constraint "refuses_stuck"/, "with the database's reason")
  t.equal(dead[0]?.headers?.['dlq-attempts']?.toString(), '3')
  const at = { topic: events.INGESTION_TOPICS.record, partition: sent?.partition ?? -1 }
  t.equal(
    readCloudEvent(dead[0]?.headers).id,
    deadLetterId('dead-letter', { ...at, offset: String(BigInt(sent?.baseOffset ?? '0') + 2n) }),
    'under an id of its place',
  )

  await pollUntil(
    () => rejections.length,
    (n) => n > 0,
    30_000,
  )
  t.same(
    rejections.map((r) => [r.field, r.id]),
    [['price.currency', deadLetterId('record.rejected', { ...at, offset: String(BigInt(sent?.baseOffset ?? '0') + 1n) })]],
    'the record the rules refuse was rejected once, though its batch was tried again and again',
  )
  t.same(
    (await progressRows(cat.pool, job)).map((r) => [r.applied, r.rejected]),
    [['2', '2']],
    'the job counts the record set aside as refused, as the one the rules refused: it can complete',
  )
})
