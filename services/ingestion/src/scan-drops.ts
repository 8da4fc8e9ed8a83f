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
import { runnerMetrics } from './jobs/job-runner.ts'
import { createJobService } from './jobs/job-service.ts'
import { getJob } from './jobs/job-store.ts'
import { areaOf, dropScan, ingestSources, runnerOptions } from './wiring.ts'

/**
 * The drops CronJob (`node src/scan-drops.ts`): scans DROP_URI once, runs each new file's job to
 * its end in this process, and exits. Files already ingested are skipped, so a rerun, a retry of
 * the Job or a replica that also scans never ingests a file twice. The exit code is 1 when a file
 * could not be started or its job failed, so the CronJob's failure shows where operators look.
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
    const sources = ingestSources(config)
    const options = runnerOptions(config)
    const jobs = createJobService({
      pool,
      producer,
      log,
      options,
      metrics: runnerMetrics(createMetrics({ service: config.SERVICE_NAME, defaultMetrics: false }), pool),
      sources,
      areaOf: areaOf(config),
      leaseMs: options.leaseMs,
      maxRunningJobs: options.maxRunningJobs,
    })
    const started: string[] = []
    const scan = dropScan(config, sources, {
      log,
      start: async (tenant, uri) => {
        const { job, step } = await jobs.startDrop(tenant, uri)
        if (step === 'started') started.push(job.id)
        return { step }
      },
    })
    // The scan and the jobs it started, to their end: it failed if a file could not be started or a job did not complete.
    const states: Record<string, number> = {}
    let ok = false
    const counts = await recordedScan(
      { pool, log },
      config.DROP_URI,
      () => withTraceparent(childTraceparent(), () => scan!()),
      async (counts) => {
        await jobs.drain()
        for (const id of started) {
          const state = (await getJob(pool, config.DROP_TENANT, id))?.state ?? 'missing'
          states[state] = (states[state] ?? 0) + 1
        }
        ok = counts.failed === 0 && (states.completed ?? 0) === started.length
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
