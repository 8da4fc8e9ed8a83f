import { setTimeout } from 'node:timers/promises'
import {
  childTraceparent,
  createIdempotentProducer,
  createKafka,
  createLogger,
  createMetrics,
  createPool,
  kafkaConnection,
  runTask,
  withTraceparent,
} from '@catalog/kit'
import { loadDropScanConfig } from './config.ts'
import { recordedScan } from './drops/daily-drops.ts'
import { codes } from './errors.ts'
import { runnerMetrics } from './jobs/job-runner.ts'
import { createJobService } from './jobs/job-service.ts'
import { countStates, failAbandoned } from './jobs/job-store.ts'
import { areaOf, dropScan, ingestSources, runnerOptions } from './wiring.ts'

/** How long a run waits for a dropped file's next attempt: retries due later are the next run's. */
const WAIT_IN_RUN_MS = 15 * 60_000

/**
 * The drops CronJob (`node src/scan-drops.ts`): scans DROP_URI, runs each new file's job to its
 * end in this process (past INGEST_MAX_RUNNING_JOBS at once, the rest in the next rounds), and exits. Files already ingested are skipped, so a rerun, a retry of the
 * Job or a replica that also scans never ingests a file twice. A file that failed on a transient
 * cause waits for its next attempt (drops/drop-retries.ts): while one is due within
 * WAIT_IN_RUN_MS, the run sleeps until then and scans again. The exit code is 1 unless every file
 * it started ended in a completed job (or one the catalog is applying) and none waits or could not be started (a quarantined file
 * has its own alert), so the CronJob's failure shows where operators look.
 */
await runTask('drop scan', async () => {
  const config = loadDropScanConfig()
  const log = createLogger({ name: config.SERVICE_NAME, level: config.LOG_LEVEL })
  const pool = createPool(
    {
      url: config.DATABASE_URL,
      max: 4,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      applicationName: `${config.SERVICE_NAME}-drops`,
    },
    log,
  )
  const kafka = createKafka({ ...kafkaConnection(config), clientId: `${config.SERVICE_NAME}-drops`, log })
  const producer = await createIdempotentProducer(kafka, log)
  try {
    const sources = ingestSources(config, log)
    const options = runnerOptions(config)
    const jobs = createJobService({
      pool,
      producer,
      log,
      options,
      // Never scraped (the process exits): the gauges every replica exports read what it records.
      metrics: runnerMetrics(createMetrics({ service: config.SERVICE_NAME, defaultMetrics: false })),
      sources,
      areaOf: areaOf(config),
      leaseMs: options.leaseMs,
      maxRunningJobs: options.maxRunningJobs,
    })
    // The last attempt of each file this run started, by URI.
    const started = new Map<string, string>()
    const waiting: Date[] = []
    // Files the tenant's limit of running jobs held back this round: started in the next, once these end.
    let held = 0
    const scan = dropScan(config, sources, {
      pool,
      log,
      start: async (tenant, uri) => {
        const drop = await jobs.startDrop(tenant, uri).catch((err: unknown) => {
          if ((err as { code?: string }).code !== codes.tooManyJobs) throw err
          held++
          return undefined
        })
        // Held back: the listing's cursor stops before it, so the next round lists it again.
        if (!drop) return { step: 'waiting', held: true }
        const { job, step } = drop
        if (step === 'started') started.set(job.uri, job.id)
        if (step === 'waiting' && job.retry_at) waiting.push(job.retry_at)
        return { step }
      },
    })
    let states: Record<string, number> = {}
    let ok = false
    const counts = await recordedScan(
      { pool, log },
      config.DROP_URI,
      async () => {
        // A previous run killed mid-job (its pod OOM-killed, say) left running rows: failed, so they are judged.
        await failAbandoned(pool, options.leaseMs)
        for (let round = 1; ; round++) {
          waiting.length = 0
          held = 0
          const counts = await withTraceparent(childTraceparent(), () => scan!())
          await jobs.drain()
          if (held > 0 && counts.started > 0) continue
          const next = Math.min(...waiting.map((d) => d.getTime()))
          if (waiting.length === 0 || next - Date.now() > WAIT_IN_RUN_MS) return counts
          log.info({ round, waiting: waiting.length, next: new Date(next) }, 'drop scan waits for retries')
          await setTimeout(Math.max(0, next - Date.now()))
        }
      },
      async (counts) => {
        states = await countStates(pool, config.DROP_TENANT, [...started.values()])
        // A job the catalog still applies is done here: the service completes it, or fails it past INGEST_APPLY_TIMEOUT_MS.
        ok = counts.failed + counts.waiting === 0 && (states.completed ?? 0) + (states.applying ?? 0) === started.size
        return ok
      },
    )
    log[ok ? 'info' : 'error']({ ...counts, jobs: states }, 'drop scan finished')
    if (!ok) process.exitCode = 1
  } finally {
    await producer.disconnect()
    await pool.end()
  }
})
