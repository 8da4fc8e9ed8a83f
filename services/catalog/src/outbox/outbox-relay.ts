import type { Logger, Metrics, Pool, PoolClient, Producer } from '@catalog/kit'
import { cloudEventHeaders, SpanKind, SpanStatusCode, startSpan } from '@catalog/kit'
import { Counter, Gauge } from 'prom-client'

export interface OutboxRelayOptions {
  pool: Pool
  producer: Producer
  log: Logger
  metrics: Metrics
  /** CloudEvents `source` of the events. */
  source: string
  batchSize?: number
  pollMs?: number
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

// One relay at a time publishes, so events of one item leave in the order they were written.
const LEADER_LOCK = 7_134_001

/**
 * Publishes the outbox to Kafka. Wakes on LISTEN/NOTIFY and polls as a fallback; takes unpublished
 * rows in id order (rows stay unpublished until marked, so one whose transaction commits late,
 * after rows with higher ids, is still found), sends them with the idempotent producer, and marks
 * them published only after the broker acked. A crash between the two publishes a row twice,
 * never zero times; consumers drop the duplicate by its `ce_id`. Replicas stand by on an advisory
 * lock held by the leader's session.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { pool, producer, log, source } = options
  const batchSize = options.batchSize ?? 500
  const pollMs = options.pollMs ?? 1_000
  const published = new Counter({
    name: 'outbox_published_total',
    help: 'Outbox events published to Kafka.',
    registers: [options.metrics.registry],
  })
  new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox events not yet published.',
    labelNames: ['measure'],
    registers: [options.metrics.registry],
    async collect() {
      const { rows } = await pool.query<{ n: number; age: number | null }>(
        'SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float AS age FROM outbox WHERE published_at IS NULL',
      )
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
        if (leader) while ((await drainOnce()) === batchSize && !stopped);
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
    await client.query('LISTEN outbox_inserted')
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

  /** Publishes one batch; returns how many rows it took. */
  const drainOnce = async (): Promise<number> => {
    const { rows } = await pool.query<OutboxRow>(
      `SELECT id, event_id, topic, key, type, payload, headers, created_at
         FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [batchSize],
    )
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
        value: row.payload,
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
    await pool.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)])
    published.inc(rows.length)
    return rows.length
  }

  return {
    start(): void {
      stopped = false
      schedule()
    },
    /** Runs one full pass now (tests use it to wait for the outbox to empty). */
    tick,
    get leader() {
      return leader
    },
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await running
      if (listener && leader) await listener.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined)
      await dropListener()
    },
  }
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>
