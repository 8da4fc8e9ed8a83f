import t from 'tap'
import type { Kafka, KafkaMessage, Producer } from '../src/index.ts'
import {
  createIdempotentProducer,
  createKafka,
  createMetrics,
  deadLetterId,
  ensureTopics,
  PoisonMessageError,
  readCloudEvent,
  startBatchConsumer,
} from '../src/index.ts'
import { silentLogger, testKafka, pollUntil as until } from '../src/testing/index.ts'

const log = silentLogger()

/** A topic and its DLQ of their own on the real broker, and an idempotent producer to both. */
async function freshTopics(t: { teardown(fn: () => unknown): void }) {
  const suffix = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`
  const topic = `test.events.${suffix}`
  const dlqTopic = `test.events.dlq.${suffix}`
  const kafka = createKafka({ ...testKafka(), clientId: 'consumer-test', log })
  await ensureTopics(kafka, [
    { topic, partitions: 1, retentionMs: 3_600_000 },
    { topic: dlqTopic, partitions: 1, retentionMs: 3_600_000 },
  ])
  const producer = await createIdempotentProducer(kafka, log)
  t.teardown(() => producer.disconnect())
  /** A batch consumer of `topic` in the group of these topics, its dead letters to `dlqTopic`. */
  const consume = (
    handle: (messages: KafkaMessage[]) => Promise<void>,
    options: Partial<Parameters<typeof startBatchConsumer>[1]> = {},
  ) =>
    startBatchConsumer(kafka, {
      groupId: `g-${suffix}`,
      topics: [topic],
      handle,
      dlq: { topic: dlqTopic, producer },
      log,
      metrics: createMetrics({ service: 't', defaultMetrics: false }),
      ...options,
    })
  return { suffix, topic, dlqTopic, kafka, producer, consume }
}

/** Every message `topic` holds now, in order (one partition). */
async function readAll(kafka: Kafka, topic: string): Promise<KafkaMessage[]> {
  const admin = kafka.admin()
  await admin.connect()
  const [end] = await admin.fetchTopicOffsets(topic)
  await admin.disconnect()
  const reader = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` })
  await reader.connect()
  await reader.subscribe({ topic, fromBeginning: true })
  const seen: KafkaMessage[] = []
  await reader.run({ eachMessage: async ({ message }) => void seen.push(message) })
  await until(() => seen.length >= Number(end?.high ?? 0))
  await reader.disconnect()
  return seen
}

t.test('batches commit after their effects; transient failures retry; poison goes to the DLQ', async (t) => {
  const { topic, dlqTopic, kafka, producer, consume } = await freshTopics(t)
  const values = ['a', 'b', 'flaky', 'c', 'poison', 'd']
  await producer.send({ topic, messages: values.map((v) => ({ key: 'k', value: v })) })

  const applied: string[] = []
  let flakyFailures = 1
  const handle = async (messages: KafkaMessage[]) => {
    for (const m of messages) {
      const v = m.value?.toString() ?? ''
      if (v === 'poison') throw new PoisonMessageError('cannot decode')
      if (v === 'flaky' && flakyFailures-- > 0) throw new Error('database briefly away')
      applied.push(v)
    }
  }
  const metrics = createMetrics({ service: 't', defaultMetrics: false })
  const consumer = await consume(handle, { metrics })
  await until(() => applied.includes('d'))
  await consumer.disconnect()

  t.same([...new Set(applied)], ['a', 'b', 'flaky', 'c', 'd'], 'every good message applied, in order (retries may repeat some)')
  t.notOk(applied.includes('poison'))

  // The DLQ write is acked before the partition moves on: it holds it by now.
  const dead = await readAll(kafka, dlqTopic)
  t.equal(dead[0]?.value?.toString(), 'poison')
  t.equal(dead[0]?.headers?.['dlq-reason']?.toString(), 'cannot decode')
  t.equal(dead[0]?.headers?.['dlq-offset']?.toString(), '4')
  t.equal(
    readCloudEvent(dead[0]?.headers).id,
    deadLetterId('dead-letter', { topic, partition: 0, offset: '4' }),
    'under an id derived from where it was read',
  )

  // The same group, started again, finds every offset committed: nothing is applied twice more.
  const before = applied.length
  const again = await consume(handle, { metrics: createMetrics({ service: 't2', defaultMetrics: false }) })
  await producer.send({ topic, messages: [{ key: 'k', value: 'e' }] })
  await until(() => applied.includes('e'))
  await again.disconnect()
  t.same(applied.slice(before), ['e'], 'a restarted member resumes after the committed offset')
})

t.test('a message that fails the same way maxAttempts times goes to the DLQ; a server away is waited out', async (t) => {
  const { topic, dlqTopic, kafka, producer, consume } = await freshTopics(t)
  await producer.send({ topic, messages: ['a', 'bad', 'away', 'readonly', 'b'].map((v) => ({ key: 'k', value: v })) })

  const applied: string[] = []
  let badAttempts = 0
  let awayFailures = 5
  let readOnlyFailures = 5
  const handle = async (messages: KafkaMessage[]) => {
    const values = messages.map((m) => m.value?.toString() ?? '')
    // As a database refuses a value whatever the retry: the whole batch fails, the same way.
    if (values.includes('bad')) {
      if (values.length === 1) badAttempts++
      throw Object.assign(new Error('value too long for type character varying(10)'), { code: '22001' })
    }
    if (values.includes('away') && awayFailures-- > 0) throw Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' })
    // A database that is read-only for a while (a failover): not the record's fault, however often.
    if (values.includes('readonly') && readOnlyFailures-- > 0)
      throw Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' })
    applied.push(...values)
  }
  const consumer = await consume(handle, { maxAttempts: 3 })
  t.teardown(() => consumer.disconnect())
  await until(() => applied.includes('b'), Boolean, 60_000)
  t.same(applied, ['a', 'away', 'readonly', 'b'], 'the partition moves past the message, in order')
  t.equal(badAttempts, 3, 'the message alone was tried maxAttempts times')
  t.equal(awayFailures, -1, 'a server away failed more than maxAttempts times and was waited out, not dead-lettered')
  t.equal(readOnlyFailures, -1, 'so did a read-only database: only data and constraint errors are the record’s fault')

  // The DLQ write is acked before the partition moves on: it holds it by now.
  const dead = await readAll(kafka, dlqTopic)
  t.equal(dead.length, 1, 'only the message that fails goes to the DLQ')
  t.equal(dead[0]?.value?.toString(), 'bad')
  t.equal(dead[0]?.headers?.['dlq-reason']?.toString(), 'value too long for type character varying(10)', 'with its reason')
  t.equal(dead[0]?.headers?.['dlq-attempts']?.toString(), '3')
  t.equal(dead[0]?.headers?.['dlq-offset']?.toString(), '1')
})

t.test('a batch delivered again sets none of its messages aside twice; one set aside again keeps its id', async (t) => {
  const { suffix, topic, dlqTopic, kafka, producer, consume } = await freshTopics(t)
  await producer.send({
    topic,
    messages: ['a', 'poison-1', 'poison-2', 'b'].map((v) => ({ key: 'k', value: v, headers: { ce_id: `event-${v}` } })),
  })
  const applied: string[] = []
  const handle = async (messages: KafkaMessage[]) => {
    for (const m of messages) {
      const v = m.value?.toString() ?? ''
      if (v.startsWith('poison')) throw new PoisonMessageError('cannot decode')
      applied.push(v)
    }
  }
  // The DLQ refuses the second write once: the batch fails after poison-1 was set aside, and is delivered again.
  let dlqWrites = 0
  const flakyDlq = {
    send: async (record: Parameters<Producer['send']>[0]) => {
      if (++dlqWrites === 2) throw new Error('DLQ write refused')
      return producer.send(record)
    },
  } as unknown as Producer
  const start = (dlqProducer: Producer) =>
    consume(handle, { dlq: { topic: dlqTopic, producer: dlqProducer }, relaunchDelayMs: 100 })
  const consumer = await start(flakyDlq)
  await until(() => applied.includes('b'), Boolean, 60_000)
  await consumer.disconnect()
  t.ok(dlqWrites >= 3, 'the batch came again after the failed DLQ write')

  const once = await readAll(kafka, dlqTopic)
  t.same(
    once.map((m) => m.value?.toString()),
    ['poison-1', 'poison-2'],
    'each poison message is in the DLQ once: the one set aside before the failure was not sent again',
  )
  const idAt = (offset: string) => deadLetterId('dead-letter', { topic, partition: 0, offset })
  t.same(
    once.map((m) => [readCloudEvent(m.headers).id, m.headers?.['dlq-ce-id']?.toString()]),
    [
      [idAt('1'), 'event-poison-1'],
      [idAt('2'), 'event-poison-2'],
    ],
    'under ids derived from topic, partition and offset; the events’ own ids kept beside',
  )

  // The group reads the partition again (as after a crash before its commit), in a new process.
  const admin = kafka.admin()
  await admin.connect()
  await admin.setOffsets({ groupId: `g-${suffix}`, topic, partitions: [{ partition: 0, offset: '0' }] })
  await admin.disconnect()
  const again = await start(producer)
  await until(() => applied.filter((v) => v === 'b').length === 2, Boolean, 60_000)
  await again.disconnect()
  const twice = await readAll(kafka, dlqTopic)
  t.same(
    twice.map((m) => [m.value?.toString(), readCloudEvent(m.headers).id]),
    [
      ['poison-1', idAt('1')],
      ['poison-2', idAt('2')],
      ['poison-1', idAt('1')],
      ['poison-2', idAt('2')],
    ],
    'set aside again after a restart, each keeps its id: a reader of the DLQ drops the copy',
  )
})

/**
 * A stand-in for kafkajs's consumer (the real one is above): kafkajs restarts a crashed consumer
 * by itself only after an error it deems retriable, and a real broker cannot be made to give the
 * other kind on demand, so the crash event is fired by hand here. `failRelaunches`: how many
 * connects after the first fail; `relaunchConnectMs`: how long each of them takes.
 */
function fakeKafka({ failRelaunches = 0, relaunchConnectMs = 0 } = {}) {
  type Crash = { error: Error; restart: boolean }
  type Member = { crash: (payload: Crash) => void; running: boolean; disconnected: boolean }
  const consumers: Member[] = []
  const kafka = {
    consumer: () => {
      const me: Member = { crash: () => undefined, running: false, disconnected: false }
      consumers.push(me)
      return {
        events: { CRASH: 'consumer.crash' },
        on: (_event: string, listener: (e: { payload: Crash }) => void) => {
          me.crash = (payload) => listener({ payload })
        },
        connect: async () => {
          if (consumers.length === 1) return
          await pause(relaunchConnectMs)
          if (failRelaunches-- > 0) throw new Error('broker away')
        },
        subscribe: async () => undefined,
        run: async () => {
          me.running = true
        },
        disconnect: async () => {
          me.disconnected = true
        },
      }
    },
  }
  return { kafka: kafka as unknown as Parameters<typeof startBatchConsumer>[0], consumers }
}

const fakeOptions = () => ({
  groupId: 'g',
  topics: ['t'],
  handle: async () => undefined,
  dlq: { topic: 'dlq', producer: {} as never },
  log,
  metrics: createMetrics({ service: 'fake', defaultMetrics: false }),
  relaunchDelayMs: 10,
})
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('a consumer that kafkajs leaves stopped after a crash is started again by us', async (t) => {
  const { kafka, consumers } = fakeKafka()
  const consumer = await startBatchConsumer(kafka, fakeOptions())
  t.equal(consumers.length, 1)

  consumers[0]?.crash({ error: new Error('retriable'), restart: true })
  await pause(100)
  t.equal(consumers.length, 1, 'kafkajs restarts this one itself: no second consumer')

  consumers[0]?.crash({ error: new TypeError('not retriable'), restart: false })
  await until(() => consumers[1]?.running === true)
  t.equal(consumers.length, 2, 'one new consumer joins and runs')

  await consumer.disconnect()
  t.ok(consumers[1]?.disconnected, 'disconnect stops the consumer now running')
  consumers[1]?.crash({ error: new TypeError('after the stop'), restart: false })
  await pause(100)
  t.equal(consumers.length, 2, 'a crash after disconnect starts nothing')
})

t.test('a relaunch that cannot connect lets that consumer go and tries again until it can', async (t) => {
  const { kafka, consumers } = fakeKafka({ failRelaunches: 2 })
  const consumer = await startBatchConsumer(kafka, fakeOptions())
  consumers[0]?.crash({ error: new TypeError('not retriable'), restart: false })
  await until(() => consumers[3]?.running === true)
  t.same(
    consumers.map((c) => [c.running, c.disconnected]),
    [
      [true, false],
      [false, true],
      [false, true],
      [true, false],
    ],
    'two failed connects, each let go, then a running consumer',
  )
  await consumer.disconnect()
})

t.test('a disconnect while a relaunch is starting leaves no consumer running', async (t) => {
  const { kafka, consumers } = fakeKafka({ relaunchConnectMs: 300 })
  const consumer = await startBatchConsumer(kafka, fakeOptions())
  consumers[0]?.crash({ error: new TypeError('not retriable'), restart: false })
  // The relaunch is under way (its consumer made, connecting) when the service stops.
  await until(() => consumers.length === 2)
  await consumer.disconnect()
  await until(() => consumers[1]?.disconnected === true)
  t.notOk(consumers[1]?.running, 'the consumer that was starting never runs')
})
