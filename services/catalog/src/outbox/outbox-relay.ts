import type { Logger, Metrics, Pool, PoolClient, Producer } from '@catalog/kit'
import { encodeItemEvent } from '../items/item-events.ts'
import type { OutboxTable } from './outbox-batch.ts'
import { publishBatch } from './outbox-batch.ts'
import { CHANNEL, createLeaderSession } from './outbox-leader.ts'
import { createOutboxMetrics } from './outbox-metrics.ts'

export interface OutboxRelayOptions {
  pool: Pool
  producer: Producer
  log: Logger
  metrics: Metrics
  /** CloudEvents `source` of the events. */
  source: string
  /** The protobuf payload of an event of `outbox_events`, from its type and data (default: the item events'). */
  encode?: (type: string, data: never) => Buffer
  batchSize?: number
  pollMs?: number
  /** How long a replica that is not the leader gathers its writes before it tells the leader. */
  notifyDebounceMs?: number
}

/**
 * Publishes the outbox to Kafka. Wakes when this replica wrote (`wake()`, after the commit), on a
 * NOTIFY from another replica that wrote, and polls as a fallback; takes waiting rows in id order
 * (rows wait until published, so one whose transaction commits late, after rows with higher ids,
 * is still found), sends them with the idempotent producer, and deletes them only after the broker
 * acked. A crash between the two publishes a row twice, never zero times; consumers drop the
 * duplicate by its `ce_id`. Replicas stand by on an advisory lock held by the leader's session.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { pool, log } = options
  const pollMs = options.pollMs ?? 1_000
  const notifyDebounceMs = options.notifyDebounceMs ?? 20
  const publisher = {
    producer: options.producer,
    metrics: createOutboxMetrics(pool, options.metrics),
    source: options.source,
    encode: options.encode ?? encodeItemEvent,
    batchSize: options.batchSize ?? 500,
  }
  const session = createLeaderSession(pool, log, () => schedule())

  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  let notifyTimer: NodeJS.Timeout | undefined

  const schedule = (delay = 0) => {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(() => void tick(), delay)
  }

  /** Publishes a table until it is empty (or the relay stops). */
  const drain = async (table: OutboxTable, leading: PoolClient) => {
    while ((await publishBatch(leading, table, publisher)) === publisher.batchSize && !stopped);
  }

  /** One pass: become leader if we can, then publish until the outbox is empty. */
  const tick = async (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        const leading = await session.lead()
        if (leading) {
          // Every pass looks at the old table first, although it fills only while previous-release
          // replicas run: an item changed by an old replica and then a new one must reach consumers
          // in that order. The look is one index probe of an empty partial index.
          await drain('legacy', leading)
          await drain('events', leading)
        }
      } catch (err) {
        log.warn({ err }, 'outbox relay pass failed; retrying')
        await session.drop()
      } finally {
        running = undefined
        if (again) {
          again = false
          schedule()
        } else schedule(pollMs)
      }
    })()
    return running
  }

  return {
    start(): void {
      stopped = false
      schedule()
    },
    /** Runs one full pass now (tests use it to wait for the outbox to empty). */
    tick,
    /**
     * This replica committed events: the leader publishes them now; a standby tells the leader
     * with one NOTIFY per `notifyDebounceMs` (sent outside any write, so commits never queue on
     * the notification lock).
     */
    wake(): void {
      if (stopped) return
      if (session.leader) {
        if (running) again = true
        else schedule()
        return
      }
      notifyTimer ??= setTimeout(() => {
        notifyTimer = undefined
        pool.query(`SELECT pg_notify('${CHANNEL}', '')`).catch((err: unknown) => log.warn({ err }, 'outbox notify failed'))
      }, notifyDebounceMs)
    },
    get leader() {
      return session.leader
    },
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      clearTimeout(notifyTimer)
      await running
      await session.close()
    },
  }
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>
