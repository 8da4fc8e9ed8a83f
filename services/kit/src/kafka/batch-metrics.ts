import { Counter, Gauge, Histogram } from 'prom-client'
import type { Metrics } from '../telemetry/metrics.ts'

export type BatchMetrics = ReturnType<typeof createBatchMetrics>

/** A consumer's metrics, by topic (lag by partition too). */
export function createBatchMetrics(metrics: Metrics) {
  const registers = [metrics.registry]
  const labelNames = ['topic'] as const
  return {
    batchSize: new Histogram({
      name: 'kafka_consumer_batch_size',
      help: 'Messages per processed batch.',
      labelNames,
      buckets: [1, 5, 10, 50, 100, 500, 1000],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'kafka_consumer_batch_seconds',
      help: 'Time to apply one batch.',
      labelNames,
      registers,
    }),
    lag: new Gauge({
      name: 'kafka_consumer_lag',
      help: 'Messages behind the end of the partition.',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    dead: new Counter({ name: 'kafka_consumer_dlq_total', help: 'Messages sent to the DLQ.', labelNames, registers }),
  }
}
