import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs'
import { DEFAULT_KAFKA_SESSION_TIMEOUT_MS } from '../runtime/config.ts'
import type { Logger } from '../telemetry/log.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import type { BatchMetrics } from './batch-metrics.ts'
import { createBatchMetrics } from './batch-metrics.ts'
import { applyWithRetry } from './batch-retry.ts'
import { traced } from './batch-tracing.ts'
import { deadLetter } from './dead-letter.ts'
import type { BatchOrigin, SetAside } from './set-aside.ts'
import { createSetAside } from './set-aside.ts'

export { PoisonMessageError } from './batch-retry.ts'
export type { BatchOrigin } from './set-aside.ts'

/** What a handler tells of a batch it applied. */
export interface HandledBatch {
  /**
   * Offsets of the messages it sent to a DLQ itself: until they commit, a delivery of the batch
   * again leaves them out, so they are not set aside twice.
   */
  deadLettered: readonly string[]
}

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
  /**
   * Runs after a message went to the DLQ, before the consumer moves past it: what the handler
   * would have recorded of the message had it applied it (the catalog counts it as refused for its
   * job). A failure retries the batch, whose message is then set aside again under the same id: it
   * must fail only while a server is away, never the same way for ever (it would hold the
   * partition), so it checks what it reads from the message before it writes it anywhere.
   */
  onDeadLettered?: (message: KafkaMessage, from: BatchOrigin) => Promise<void>
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
  const sessionTimeout = options.sessionTimeoutMs ?? DEFAULT_KAFKA_SESSION_TIMEOUT_MS
  // Several heartbeats per session, so one late beat does not cost the member its partitions.
  const heartbeatInterval = Math.min(3_000, Math.floor(sessionTimeout / 5))
  const eachBatch = batchApplier(options, heartbeatInterval)
  const { log } = options

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
      await member.run({
        partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => eachBatch(member, payload),
      })
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

/**
 * What the consumer does with each batch: apply what was not set aside already (with retries and
 * the DLQ), then commit its offsets, only once its effects are durable.
 */
function batchApplier(options: BatchConsumerOptions, heartbeatInterval: number) {
  const metrics: BatchMetrics = createBatchMetrics(options.metrics)
  const setAside: SetAside = createSetAside()
  const retry = {
    apply: async (messages: KafkaMessage[], from: BatchOrigin) => {
      const handled = await options.handle(messages, from)
      setAside.mark(from, handled?.deadLettered ?? [])
    },
    deadLetter: async (from: BatchOrigin, message: KafkaMessage, err: unknown, attempts: number) => {
      await deadLetter(options, from, message, err, attempts)
      await options.onDeadLettered?.(message, from)
      setAside.mark(from, [message.offset])
      metrics.dead.inc({ topic: from.topic })
    },
    maxAttempts: options.maxAttempts,
    heartbeatInterval,
    log: options.log,
  }

  return async (member: Consumer, payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat } = payload
    if (batch.messages.length === 0) return
    const end = metrics.batchSeconds.startTimer({ topic: batch.topic })
    // Delivered again before its commit: what was set aside already is not set aside twice.
    const messages = setAside.pending(batch, batch.messages)
    if (messages.length > 0) await traced(options.groupId, batch.topic, messages, () => applyWithRetry(payload, messages, retry))
    end()
    metrics.batchSize.observe({ topic: batch.topic }, batch.messages.length)
    resolveOffset(batch.lastOffset())
    // The effects are durable: only now does the group learn that this batch is done.
    const next = (BigInt(batch.lastOffset()) + 1n).toString()
    await member.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }])
    setAside.committed(batch, next)
    await heartbeat()
    metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()))
  }
}
