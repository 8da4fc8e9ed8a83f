import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs'
import { Counter, Gauge, Histogram } from 'prom-client'
import { DEFAULT_KAFKA_SESSION_TIMEOUT_MS } from '../config.ts'
import { isUnavailable } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { Metrics } from '../metrics.ts'
import { tracingStarted } from '../telemetry-state.ts'
import { inSpan, linkTo, startSpan } from '../trace-context.ts'
import { deadLetterId } from './cloud-events.ts'

/** Thrown by a handler for a message that can never succeed (it cannot be decoded, say): it goes to the DLQ. */
export class PoisonMessageError extends Error {
  readonly poison = true
}

const isPoison = (err: unknown) => (err as { poison?: boolean } | undefined)?.poison === true

/** A PostgreSQL error code (SQLSTATE): five digits or capitals. */
const SQLSTATE = /^[0-9A-Z]{5}$/
/**
 * Of PostgreSQL's errors, only a data exception (22xxx) or a broken constraint (23xxx) is the
 * record's own fault. Everything else passes on its own or with an operator (a deadlock, a timeout,
 * a read-only database after a failover, a full disk, a revoked grant): dead-lettering records
 * through it would empty the partition into the DLQ, and replaying them later could write old
 * values over newer ones.
 */
const RECORD_SQLSTATE = /^(22|23)/

/**
 * What a failure is, for telling whether a batch fails the same way each time: its code and
 * message. Undefined for a failure that passes on its own (a server away, a deadlock, an error
 * kafkajs deems retriable): those are retried for as long as they last, never dead-lettered.
 */
function failureKind(err: unknown): string | undefined {
  if (isUnavailable(err)) return undefined
  const { code, message, retriable } = (err ?? {}) as { code?: unknown; message?: unknown; retriable?: unknown }
  if (retriable === true) return undefined
  if (typeof code === 'string' && SQLSTATE.test(code) && !RECORD_SQLSTATE.test(code)) return undefined
  return `${typeof code === 'string' ? code : ''}:${typeof message === 'string' ? message : String(err)}`
}

/** The partition a batch comes from. */
export interface BatchOrigin {
  topic: string
  partition: number
}

/** What a handler tells of a batch it applied. */
export interface HandledBatch {
  /**
   * Offsets of the messages it sent to a DLQ itself: until they commit, a delivery of the batch
   * again leaves them out, so they are not set aside twice.
   */
  deadLettered: readonly string[]
}

/** The `kind` of deadLetterId for a message the consumer sets aside as it is. */
const DEAD_LETTER_KIND = 'dead-letter'

export interface BatchConsumerOptions {
  groupId: string
  topics: string[]
  /** Applies messages of one partition, in order; resolves only once their effects are durable. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that sets nothing aside returns nothing.
  handle: (messages: KafkaMessage[], from: BatchOrigin) => Promise<void | HandledBatch>
  /**
   * Where poison messages go, as they were with the reason in headers, under a CloudEvent id of
   * their own (deadLetterId; the message's own id, if any, in `dlq-ce-id`).
   */
  dlq: { topic: string; producer: Producer }
  log: Logger
  metrics: Metrics
  fromBeginning?: boolean
  /** See KAFKA_SESSION_TIMEOUT_MS; kafkajs would wait 30 s for a killed member. */
  sessionTimeoutMs?: number
  /** How long to wait before starting a crashed consumer again (and between failed starts). */
  relaunchDelayMs?: number
  /**
   * How many partitions' batches apply at once (default 1). Each partition's stay in order; more
   * than one suits a handler whose batches of different partitions touch different rows.
   */
  partitionsConcurrently?: number
  /**
   * Attempts of a batch that fails the same way each time (same code and message, not a server
   * away) before it is applied one message at a time, and a message that still fails so goes to
   * the DLQ with its reason: one record the handler can never apply must not stall its partition.
   * Unset: retried until it succeeds.
   */
  maxAttempts?: number
}

/**
 * A consumer group member that processes whole batches and commits their offsets only after the
 * handler resolved (at least once, never lost). A failing batch is retried with backoff while the
 * consumer keeps heart-beating; when a message is poison (or, with `maxAttempts`, fails the same
 * way that many times) it is sent to the DLQ with the reason in headers and the partition moves on,
 * instead of blocking behind it for ever. A batch delivered again before its commit (a failed
 * commit or DLQ write, a rebalance) leaves out the messages already set aside, and one set aside
 * again after a restart keeps its id, so the DLQ's readers can drop the copy.
 */
export async function startBatchConsumer(kafka: Kafka, options: BatchConsumerOptions): Promise<BatchConsumer> {
  const { log, handle, dlq } = options
  const registry = options.metrics.registry
  const labels = ['topic'] as const
  const batchSize = new Histogram({
    name: 'kafka_consumer_batch_size',
    help: 'Messages per processed batch.',
    labelNames: labels,
    buckets: [1, 5, 10, 50, 100, 500, 1000],
    registers: [registry],
  })
  const batchSeconds = new Histogram({
    name: 'kafka_consumer_batch_seconds',
    help: 'Time to apply one batch.',
    labelNames: labels,
    registers: [registry],
  })
  const lag = new Gauge({
    name: 'kafka_consumer_lag',
    help: 'Messages behind the end of the partition.',
    labelNames: ['topic', 'partition'],
    registers: [registry],
  })
  const dead = new Counter({
    name: 'kafka_consumer_dlq_total',
    help: 'Messages sent to the DLQ.',
    labelNames: labels,
    registers: [registry],
  })

  const sessionTimeout = options.sessionTimeoutMs ?? DEFAULT_KAFKA_SESSION_TIMEOUT_MS
  // Several heartbeats per session, so one late beat does not cost the member its partitions.
  const heartbeatInterval = Math.min(3_000, Math.floor(sessionTimeout / 5))

  // Per partition, the offsets set aside (here or by the handler) and not yet committed: a few at
  // most, forgotten as their batch commits.
  const setAside = new Map<string, Set<string>>()
  const partitionKey = ({ topic, partition }: BatchOrigin) => `${topic}\u0000${partition}`
  const markSetAside = (from: BatchOrigin, offsets: readonly string[]) => {
    if (offsets.length === 0) return
    const key = partitionKey(from)
    setAside.set(key, new Set([...(setAside.get(key) ?? []), ...offsets]))
  }
  const committed = (from: BatchOrigin, next: string) => {
    const offsets = setAside.get(partitionKey(from))
    if (!offsets) return
    for (const offset of offsets) if (BigInt(offset) < BigInt(next)) offsets.delete(offset)
    if (offsets.size === 0) setAside.delete(partitionKey(from))
  }

  const toDlq = async (topic: string, partition: number, message: KafkaMessage, err: unknown, attempts: number) => {
    const { ce_id: ownId, ...own } = message.headers ?? {}
    const headers: IHeaders = {
      ...own,
      ce_id: deadLetterId(DEAD_LETTER_KIND, { topic, partition, offset: message.offset }),
      ...(ownId === undefined ? {} : { 'dlq-ce-id': ownId }),
      'dlq-reason': err instanceof Error ? err.message.slice(0, 500) : String(err),
      'dlq-topic': topic,
      'dlq-partition': String(partition),
      'dlq-offset': message.offset,
      'dlq-group': options.groupId,
      'dlq-attempts': String(attempts),
    }
    await dlq.producer.send({ topic: dlq.topic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] })
    markSetAside({ topic, partition }, [message.offset])
    dead.inc({ topic })
    log.warn(
      { topic, partition, offset: message.offset, attempts, err },
      isPoison(err) ? 'poison message sent to the DLQ' : `message failed ${attempts} times the same way; sent to the DLQ`,
    )
  }

  const applyWithRetry = async (payload: EachBatchPayload, messages: KafkaMessage[]) => {
    const { batch, heartbeat, isRunning, isStale } = payload
    const from = { topic: batch.topic, partition: batch.partition }
    let lastKind: string | undefined
    let sameFailures = 0
    for (let attempt = 0; ; attempt++) {
      try {
        const handled = await handle(messages, from)
        markSetAside(from, handled?.deadLettered ?? [])
        return
      } catch (err) {
        const kind = failureKind(err)
        sameFailures = kind !== undefined && kind === lastKind ? sameFailures + 1 : kind === undefined ? 0 : 1
        lastKind = kind
        const givenUp = isPoison(err) || (options.maxAttempts !== undefined && sameFailures >= options.maxAttempts)
        if (givenUp && messages.length === 1)
          return toDlq(batch.topic, batch.partition, messages[0] as KafkaMessage, err, attempt + 1)
        if (givenUp) {
          // Find the culprit: apply one by one, so the good messages around it still land.
          for (const m of messages) await applyWithRetry(payload, [m])
          return
        }
        if (!isRunning() || isStale()) throw err
        const pause = Math.min(30_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)
        log.warn({ err, topic: batch.topic, partition: batch.partition, attempt, pause }, 'batch failed; retrying')
        // A pause longer than the session would cost the member its partitions: beat through it.
        for (let waited = 0; waited < pause; waited += heartbeatInterval) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(heartbeatInterval, pause - waited)))
          await heartbeat()
        }
      }
    }
  }

  let stopped = false
  let consumer: Consumer
  const launch = async () => {
    const member = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout, heartbeatInterval })
    consumer = member
    // kafkajs starts a crashed consumer again only after an error it deems retriable; after any
    // other it stays stopped, and its partitions would go unread while the service looks ready.
    member.on(member.events.CRASH, ({ payload }) => {
      if (payload.restart || stopped) return
      log.error({ err: payload.error, group: options.groupId }, 'consumer crashed; starting it again')
      relaunch()
    })
    try {
      await member.connect()
      await member.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true })
      // disconnect() came while this one was starting: it must not run after the service stopped.
      if (stopped) return await member.disconnect()
      await run(member)
    } catch (err) {
      await member.disconnect().catch(() => undefined)
      throw err
    }
  }
  const relaunch = () =>
    setTimeout(() => {
      if (stopped) return
      launch().catch((err: unknown) => {
        log.error({ err, group: options.groupId }, 'consumer could not start again; retrying')
        relaunch()
      })
    }, options.relaunchDelayMs ?? 1_000)

  const run = (member: Consumer) =>
    member.run({
      partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch, resolveOffset, heartbeat } = payload
        if (batch.messages.length === 0) return
        const end = batchSeconds.startTimer({ topic: batch.topic })
        // Delivered again before its commit: what was set aside already is not set aside twice.
        const aside = setAside.get(partitionKey(batch))
        const messages = aside ? batch.messages.filter((m) => !aside.has(m.offset)) : batch.messages
        if (messages.length > 0) await traced(options.groupId, batch.topic, messages, () => applyWithRetry(payload, messages))
        end()
        batchSize.observe({ topic: batch.topic }, batch.messages.length)
        resolveOffset(batch.lastOffset())
        // The effects are durable: only now does the group learn that this batch is done.
        const next = (BigInt(batch.lastOffset()) + 1n).toString()
        await member.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }])
        committed(batch, next)
        await heartbeat()
        lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()))
      },
    })
  await launch()
  return {
    async disconnect() {
      stopped = true
      await consumer.disconnect()
    },
  }
}

export interface BatchConsumer {
  disconnect(): Promise<void>
}

const MESSAGING = { 'messaging.system': 'kafka' } as const

/**
 * Tracing of one batch: a span per traced message (per distinct parent), the child of the span that
 * published it, so each event's trace reaches its consumer; and one span for the batch's own work (its SQL), linked
 * to the messages, since a batch serves many traces at once. The spans end when the batch's
 * effects are durable.
 */
async function traced(group: string, topic: string, messages: KafkaMessage[], apply: () => Promise<void>): Promise<void> {
  // Tracing off: no spans to make, so no headers to read on every batch.
  if (!tracingStarted()) return apply()
  const attributes = { ...MESSAGING, 'messaging.destination.name': topic, 'messaging.consumer.group.name': group }
  // One span per distinct parent: an event has its own, while the million records of one
  // ingestion job share the job's, and make one span per batch, not one each.
  const byParent = new Map<string, KafkaMessage[]>()
  for (const m of messages) {
    const parent = headerText(m.headers?.traceparent)
    if (!parent) continue
    const group = byParent.get(parent)
    if (group) group.push(m)
    else byParent.set(parent, [m])
  }
  const perMessage = [...byParent].flatMap(([parent, group]) => {
    const { span } = startSpan(`${topic} process`, {
      kind: SpanKind.CONSUMER,
      parent,
      attributes: {
        ...attributes,
        'messaging.operation.type': 'process',
        'messaging.batch.message_count': group.length,
        'messaging.kafka.offset': Number(group[0]?.offset),
      },
    })
    return span.isRecording() ? [{ span, parent }] : []
  })
  try {
    await inSpan(
      `${topic} process batch`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { ...attributes, 'messaging.operation.type': 'process', 'messaging.batch.message_count': messages.length },
        links: perMessage.flatMap(({ parent }) => linkTo(parent) ?? []),
      },
      apply,
    )
  } catch (err) {
    for (const { span } of perMessage) span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) })
    throw err
  } finally {
    for (const { span } of perMessage) span.end()
  }
}

const headerText = (value: Buffer | string | (Buffer | string)[] | undefined): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value
  return first === undefined ? undefined : first.toString()
}
