import { Counter, Gauge, Histogram } from 'prom-client'
import type { Metrics } from '../telemetry/metrics.ts'

export type BatchMetrics = ReturnType<typeof makeBatchMetrics>

const made = new WeakMap<Metrics['registry'], BatchMetrics>()

/**
 * The consumers' metrics, by topic (lag by partition too): one set per registry, shared by every
 * consumer of a process (ingestion reads the catalog's counts and the object store's events).
 */
export function createBatchMetrics(metrics: Metrics): BatchMetrics {
  let found = made.get(metrics.registry)
  if (!found) {
    found = makeBatchMetrics(metrics)
    made.set(metrics.registry, found)
  }
  return found
}

function makeBatchMetrics(metrics: Metrics) {
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
