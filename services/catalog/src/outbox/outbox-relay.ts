import type { Logger, Metrics, Pool, PoolClient, Producer } from '@catalog/kit'
import { cloudEventHeaders, SpanKind, SpanStatusCode, startSpan } from '@catalog/kit'
import { Counter, Gauge, Histogram } from 'prom-client'
import { encodeItemEvent } from '../items/item-events.ts'

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

interface OutboxRow {
  id: string
  event_id: string
  topic: string
  key: string
  type: string
  payload: Buffer
  headers: Record<string, string>
  created_at: Date
}

interface EventRow extends Omit<OutboxRow, 'payload'> {
  data: never
}

/**
 * Where events wait: `outbox_events` (one statement writes a change and its events as JSON, the
 * relay encodes them; deleted once published), and before it `outbox`, where replicas of the
 * previous release write encoded events during a rolling upgrade (marked published).
 */
const TABLES = {
  legacy: {
    take: `SELECT id, event_id, topic, key, type, payload, headers, created_at
             FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
    done: 'UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])',
  },
  events: {
    take: 'SELECT id, event_id, topic, key, type, data, headers, created_at FROM outbox_events ORDER BY id LIMIT $1',
    done: 'DELETE FROM outbox_events WHERE id = ANY($1::bigint[])',
  },
} as const

const CHANNEL = 'outbox_inserted'

// One relay at a time publishes, so events of one item leave in the order they were written.
const LEADER_LOCK = 7_134_001

/**
 * Publishes the outbox to Kafka. Wakes when this replica wrote (`wake()`, after the commit), on a
 * NOTIFY from another replica that wrote, and polls as a fallback; takes waiting rows in id order
 * (rows wait until published, so one whose transaction commits late, after rows with higher ids,
 * is still found), sends them with the idempotent producer, and deletes them only after the broker
 * acked. A crash between the two publishes a row twice, never zero times; consumers drop the
 * duplicate by its `ce_id`. Replicas stand by on an advisory lock held by the leader's session.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { pool, producer, log, source } = options
  const batchSize = options.batchSize ?? 500
  const pollMs = options.pollMs ?? 1_000
  const notifyDebounceMs = options.notifyDebounceMs ?? 20
  const encode = options.encode ?? encodeItemEvent
  const published = new Counter({
    name: 'outbox_published_total',
    help: 'Outbox events published to Kafka.',
    registers: [options.metrics.registry],
  })
  const delay = new Histogram({
    name: 'outbox_publish_delay_seconds',
    help: 'From the write of an event to the broker acknowledging it.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30],
    registers: [options.metrics.registry],
  })
  new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox events not yet published (at most: the span of waiting ids), and the age of the oldest.',
    labelNames: ['measure'],
    registers: [options.metrics.registry],
    async collect() {
      // Index lookups only, whatever the backlog: the ends of the waiting ids (a rolled-back
      // write leaves a gap, so the span is an upper bound), and the oldest waiting row.
      const { rows } = await pool.query<{ n: number; age: number | null }>({
        name: 'outbox.backlog',
        text: `SELECT coalesce((SELECT max(id) FROM outbox_events) - (SELECT min(id) FROM outbox_events) + 1, 0)::int
                      + (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT 10000) AS l)::int AS n,
                      extract(epoch FROM now() - least(
                        (SELECT created_at FROM outbox_events ORDER BY id LIMIT 1),
                        (SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1)))::float AS age`,
      })
      this.set({ measure: 'events' }, rows[0]?.n ?? 0)
      this.set({ measure: 'oldest_age_seconds' }, rows[0]?.age ?? 0)
    },
  })

  let listener: PoolClient | undefined
  let leader = false
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

  /** One pass: become leader if we can, then publish until the outbox is empty. */
  const tick = async (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        if (!listener) await listen()
        if (!leader) leader = await tryLead()
        if (leader) {
          // Every pass looks at the old table first, although it fills only while previous-release
          // replicas run: an item changed by an old replica and then a new one must reach consumers
          // in that order. The look is one index probe of an empty partial index.
          while ((await drainOnce('legacy')) === batchSize && !stopped);
          while ((await drainOnce('events')) === batchSize && !stopped);
        }
      } catch (err) {
        log.warn({ err }, 'outbox relay pass failed; retrying')
        await dropListener()
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

  const listen = async () => {
    const client = await pool.connect()
    client.on('notification', () => schedule())
    client.on('error', (err) => {
      log.warn({ err }, 'outbox listener lost its connection')
      void dropListener()
    })
    await client.query(`LISTEN ${CHANNEL}`)
    listener = client
  }
  const dropListener = async () => {
    const client = listener
    listener = undefined
    if (leader) log.info('outbox relay lost leadership')
    leader = false
    client?.release(true)
  }
  const tryLead = async () => {
    const { rows } = await (listener as PoolClient).query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK])
    if (rows[0]?.ok) log.info('outbox relay is the leader')
    return rows[0]?.ok === true
  }

  /** Publishes one batch of a table; returns how many rows it took. */
  const drainOnce = async (table: keyof typeof TABLES): Promise<number> => {
    // The leader publishes on the session that holds its lock, never waiting for a pool
    // connection behind the writes it publishes.
    const session = listener as PoolClient
    const { rows } = await session.query<OutboxRow | EventRow>({
      name: `outbox.take-${table}`,
      text: TABLES[table].take,
      values: [batchSize],
    })
    if (rows.length === 0) return 0
    const byTopic = new Map<string, { key: string; value: Buffer; headers: ReturnType<typeof cloudEventHeaders> }[]>()
    // Each event's publish continues the trace of the request that wrote it (the traceparent kept
    // with the row), and its consumers continue the publish.
    const spans = rows.map((row) => {
      const { span, traceparent } = startSpan(`${row.topic} publish`, {
        kind: SpanKind.PRODUCER,
        parent: row.headers.traceparent,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': row.topic,
          'messaging.message.id': row.event_id,
        },
      })
      const messages = byTopic.get(row.topic) ?? []
      messages.push({
        key: row.key,
        value: 'payload' in row ? row.payload : encode(row.type, row.data),
        headers: cloudEventHeaders({
          id: row.event_id,
          type: row.type,
          source,
          time: row.created_at,
          headers: traceparent ? { ...row.headers, traceparent } : row.headers,
        }),
      })
      byTopic.set(row.topic, messages)
      return span
    })
    try {
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
    } catch (err) {
      for (const span of spans)
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) })
      throw err
    } finally {
      for (const span of spans) span.end()
    }
    const acked = Date.now()
    await session.query({ name: `outbox.done-${table}`, text: TABLES[table].done, values: [rows.map((r) => r.id)] })
    published.inc(rows.length)
    for (const row of rows) delay.observe(Math.max(0, (acked - row.created_at.getTime()) / 1000))
    return rows.length
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
      if (leader) {
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
      return leader
    },
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      clearTimeout(notifyTimer)
      await running
      if (listener && leader) await listener.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined)
      await dropListener()
    },
  }
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>
