import type { BatchOrigin, Kafka, KafkaMessage, Logger, Metrics, Pool, Producer } from '@catalog/kit'
import { startBatchConsumer } from '@catalog/kit'
import { events } from '@catalog/proto'
import { Gauge } from 'prom-client'
import type { RunnerMetrics } from './job-runner.ts'
import { publishJobEvent } from './job-runner.ts'
import type { AppliedTotals } from './job-store.ts'
import { recordApplied } from './job-store.ts'

/**
 * Reads the catalog's running totals of each job's records (`ingest.applied` on
 * catalog.ingest.v1), keeps them on the jobs, and completes each `applying` job they account for:
 * `completed` then means the data is in the catalog. Totals only grow and are kept by their
 * greatest, so a batch delivered again or out of order changes nothing.
 */
export async function startAppliedConsumer(
  kafka: Kafka,
  deps: {
    pool: Pool
    producer: Producer
    log: Logger
    metrics: Metrics
    jobMetrics: RunnerMetrics
    groupId: string
    /** The catalog's consumer group whose totals count (CATALOG_INGEST_GROUP); any other's are ignored. */
    catalogGroup: string
    sessionTimeoutMs?: number
  },
) {
  const { log } = deps
  // Read at each scrape: what the catalog owes any replica's jobs (the drops CronJob's too).
  let stalled = 0
  new Gauge({
    name: 'ingestion_jobs_applying_stalled_seconds',
    help: "Seconds since the catalog's totals of the longest-waiting applying job last moved; 0 while none waits (failed past INGEST_APPLY_TIMEOUT_MS).",
    registers: [deps.metrics.registry],
    async collect() {
      stalled = await deps.pool
        .query<{ s: number }>(
          `SELECT coalesce(extract(epoch FROM now() - min(updated_at)), 0)::float8 AS s FROM jobs WHERE state = 'applying'`,
        )
        .then(
          (r) => r.rows[0]?.s ?? 0,
          () => stalled,
        )
      this.set(stalled)
    },
  })
  const handle = async (messages: KafkaMessage[], from: BatchOrigin) => {
    // The greatest totals of each job and partition in the batch, each count on its own (a member
    // that lost its partition in a rebalance may send older totals after newer ones).
    const latest = new Map<string, AppliedTotals>()
    const greatest = (a: string, b: string) => (BigInt(a) >= BigInt(b) ? a : b)
    for (const message of messages) {
      let totals: ReturnType<typeof events.ingestApplied.decode>
      try {
        totals = events.ingestApplied.decode(message.value ?? Buffer.alloc(0))
      } catch (err) {
        // Nothing to apply and nothing anyone could replay: the catalog's next totals of the job supersede it.
        log.warn({ ...from, offset: message.offset, err }, 'undecodable ingest.applied event skipped')
        continue
      }
      // Another catalog, a bench or a test applying the same records counts its own.
      if (totals.group !== deps.catalogGroup) continue
      const key = `${totals.job_id}/${totals.tenant}/${totals.partition}`
      const seen = latest.get(key)
      latest.set(key, {
        jobId: totals.job_id,
        tenant: totals.tenant,
        partition: totals.partition,
        applied: seen ? greatest(seen.applied, totals.applied) : totals.applied,
        rejected: seen ? greatest(seen.rejected, totals.rejected) : totals.rejected,
      })
    }
    for (const job of await recordApplied(deps.pool, [...latest.values()])) {
      deps.jobMetrics.finished.inc({ state: 'completed' })
      log.info(
        { job: job.id, applied: job.applied, rejected: job.catalog_rejected },
        'job finished: the catalog applied its records',
      )
      // As at any job's end, an announcement that fails is logged, not retried: the job's row says it.
      await publishJobEvent(deps.producer, events.INGESTION_TYPES.jobCompleted, job).catch((err: unknown) =>
        log.warn({ err, job: job.id }, 'could not publish the end of a job'),
      )
    }
  }
  const consumer = await startBatchConsumer(kafka, {
    groupId: deps.groupId,
    topics: [events.TOPICS.ingest],
    handle,
    // Never used: an event this reader cannot decode is skipped, as nothing could replay it.
    dlq: { topic: events.INGESTION_TOPICS.recordDlq, producer: deps.producer },
    log,
    metrics: deps.metrics,
    sessionTimeoutMs: deps.sessionTimeoutMs,
    // A new group (a first deployment) reads the totals the topic still holds: applying them again changes nothing.
    fromBeginning: true,
  })
  return { stop: () => consumer.disconnect() }
}
