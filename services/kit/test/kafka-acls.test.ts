import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Kafka } from '../src/index.ts'
import { createIdempotentProducer, createKafka, ensureTopics, kafkaAccessProblem, PLATFORM_TOPICS } from '../src/index.ts'
import type { TestKafkaPrincipal } from '../src/testing/index.ts'
import { grantPlatformAcls, pollUntil, silentLogger, testKafka, testKafkaCredentials } from '../src/testing/index.ts'

// The test broker (scripts/lib/kafka.sh) authenticates every client and authorizes every request.
const log = silentLogger()
if (!testKafkaCredentials())
  throw new Error('TEST_KAFKA_SASL_MECHANISM is not set: these tests need the authenticated test broker')

// One retry, the least an idempotent producer accepts: a refusal is the answer, not a hiccup.
const kafkaAs = (principal: TestKafkaPrincipal, override: Partial<ReturnType<typeof testKafka>> = {}): Kafka =>
  createKafka({ ...testKafka(principal), ...override, clientId: `acl-test-${principal}`, log, retry: { retries: 1 } })

/** The type of the broker's error code kafkajs carries somewhere in what it threw. */
function errorType(err: unknown): string | undefined {
  for (let e = err as { type?: string; cause?: unknown; originalError?: unknown } | undefined; e; ) {
    if (e.type) return e.type
    e = (e.originalError ?? e.cause) as typeof e
  }
  return undefined
}

t.before(async () => {
  const admin = createKafka({ ...testKafka(), clientId: 'acl-test-setup', log })
  await ensureTopics(admin, PLATFORM_TOPICS)
  await grantPlatformAcls(admin)
})

t.test('a client without credentials gets nothing from the brokers', async (t) => {
  const { brokers } = testKafka()
  const admin = createKafka({
    brokers,
    clientId: 'acl-test-anonymous',
    log,
    retry: { retries: 0 },
    connectionTimeout: 3_000,
  }).admin()
  t.teardown(() => admin.disconnect())
  await t.rejects(
    admin.connect().then(() => admin.listTopics()),
    'connecting or listing topics fails',
  )
})

t.test('a wrong password is refused at authentication, with a message that names the cause', async (t) => {
  const { brokers, sasl } = testKafka('search')
  const wrong = {
    brokers,
    sasl: { mechanism: 'scram-sha-512' as const, username: 'search', password: `${sasl ? 'not-' : ''}the-password` },
  }
  const admin = kafkaAs('search', wrong).admin()
  t.teardown(() => admin.disconnect())
  const err = await admin.connect().then(
    () => undefined,
    (e: unknown) => e,
  )
  t.match(err, { name: 'KafkaJSSASLAuthenticationError' })
  t.match(kafkaAccessProblem(err), /^kafka refused access: .*authentication failed.*check KAFKA_SASL_USERNAME/i)
})

t.test('the search principal cannot write into the ingest topic: TOPIC_AUTHORIZATION_FAILED', async (t) => {
  const producer = await createIdempotentProducer(kafkaAs('search'), log)
  t.teardown(() => producer.disconnect())
  const err = await producer
    .send({ topic: 'ingestion.record.v1', acks: -1, messages: [{ key: 'tenant-x', value: '{"tenant":"someone-else"}' }] })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  t.equal(errorType(err), 'TOPIC_AUTHORIZATION_FAILED')
  t.match(kafkaAccessProblem(err), /^kafka refused access/)
})

t.test('the ingestion principal cannot publish catalog events, nor read the catalog group', async (t) => {
  const kafka = kafkaAs('ingestion')
  const producer = await createIdempotentProducer(kafka, log)
  t.teardown(() => producer.disconnect())
  const err = await producer.send({ topic: 'catalog.item.v1', acks: -1, messages: [{ value: 'x' }] }).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.equal(errorType(err), 'TOPIC_AUTHORIZATION_FAILED')
  const admin = kafka.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const groupErr = await admin.fetchOffsets({ groupId: 'catalog-ingest', topics: ['ingestion.record.v1'] }).then(
    () => undefined,
    (e: unknown) => e,
  )
  // The broker answers GROUP_AUTHORIZATION_FAILED to the coordinator lookup, which kafkajs reports
  // as a coordinator it cannot find.
  t.ok(
    errorType(groupErr) === 'GROUP_AUTHORIZATION_FAILED' ||
      (groupErr as Error | undefined)?.name === 'KafkaJSGroupCoordinatorNotFound',
    'the group is out of reach',
    { groupErr },
  )
})

t.test('each service principal does what its service does: catalog publishes, search consumes in its group', async (t) => {
  const key = `acl-${randomUUID()}`
  const producer = await createIdempotentProducer(kafkaAs('catalog'), log)
  t.teardown(() => producer.disconnect())
  await producer.send({ topic: 'catalog.item.v1', acks: -1, messages: [{ key, value: 'granted' }] })

  const ingestion = await createIdempotentProducer(kafkaAs('ingestion'), log)
  t.teardown(() => ingestion.disconnect())
  await ingestion.send({ topic: 'ingestion.record.v1', acks: -1, messages: [{ key, value: 'granted' }] })

  const consumer = createKafka({ ...testKafka('search'), clientId: 'acl-test-search', log }).consumer({
    groupId: 'search-indexer',
  })
  t.teardown(() => consumer.disconnect())
  await consumer.connect()
  await consumer.subscribe({ topic: 'catalog.item.v1', fromBeginning: true })
  const seen = new Set<string>()
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key) seen.add(message.key.toString())
    },
  })
  await pollUntil(() => seen.has(key), Boolean, 60_000)
  t.pass('the search principal read the event in group search-indexer')
})

t.test("the catalog sends its totals of each job's records, and ingestion reads them in a group of its name", async (t) => {
  const key = `acl-${randomUUID()}`
  const producer = await createIdempotentProducer(kafkaAs('catalog'), log)
  t.teardown(() => producer.disconnect())
  await producer.send({ topic: 'catalog.ingest.v1', acks: -1, messages: [{ key, value: 'granted' }] })
  // The grant is of the group's name as a prefix: a second installation or a test adds to it.
  const consumer = createKafka({ ...testKafka('ingestion'), clientId: 'acl-test-ingestion', log }).consumer({
    groupId: `ingestion-applied-${randomUUID()}`,
  })
  t.teardown(() => consumer.disconnect())
  await consumer.connect()
  await consumer.subscribe({ topic: 'catalog.ingest.v1', fromBeginning: true })
  const seen = new Set<string>()
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key) seen.add(message.key.toString())
    },
  })
  await pollUntil(() => seen.has(key), Boolean, 60_000)
  t.pass('the ingestion principal read the totals')
  const ingestion = await createIdempotentProducer(kafkaAs('ingestion'), log)
  t.teardown(() => ingestion.disconnect())
  const refused = await ingestion
    .send({ topic: 'catalog.ingest.v1', acks: -1, messages: [{ key, value: 'forged' }] })
    .then(() => undefined)
    .catch((e: unknown) => e)
  t.equal(errorType(refused), 'TOPIC_AUTHORIZATION_FAILED', 'ingestion cannot write totals of its own')
})

t.test('ingestion reads its dead letters back in a replay group of its own', async (t) => {
  const key = `acl-${randomUUID()}`
  const producer = await createIdempotentProducer(kafkaAs('catalog'), log)
  t.teardown(() => producer.disconnect())
  await producer.send({ topic: 'ingestion.record.dlq.v1', acks: -1, messages: [{ key, value: 'dead' }] })
  const consumer = createKafka({ ...testKafka('ingestion'), clientId: 'acl-test-replay', log }).consumer({
    groupId: `ingestion-replay-${randomUUID()}`,
  })
  t.teardown(() => consumer.disconnect())
  await consumer.connect()
  await consumer.subscribe({ topic: 'ingestion.record.dlq.v1', fromBeginning: true })
  const seen = new Set<string>()
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key) seen.add(message.key.toString())
    },
  })
  await pollUntil(() => seen.has(key), Boolean, 60_000)
  t.pass('the ingestion principal read the dead letter')
})
