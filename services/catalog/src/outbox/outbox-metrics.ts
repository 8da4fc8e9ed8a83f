import type { Metrics, Pool } from '@catalog/kit'
import { Counter, Gauge, Histogram } from 'prom-client'

export interface OutboxMetrics {
  published: Counter
  /** From the write of an event to the broker acknowledging it. */
  delay: Histogram
}

/** The relay's metrics; the backlog is read from the tables at each scrape, not kept. */
export function createOutboxMetrics(pool: Pool, metrics: Metrics): OutboxMetrics {
  const registers = [metrics.registry]
  new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox events not yet published (at most: the span of waiting ids), and the age of the oldest.',
    labelNames: ['measure'],
    registers,
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
  return {
    published: new Counter({ name: 'outbox_published_total', help: 'Outbox events published to Kafka.', registers }),
    delay: new Histogram({
      name: 'outbox_publish_delay_seconds',
      help: 'From the write of an event to the broker acknowledging it.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
  }
}
