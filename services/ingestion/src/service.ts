import type { ServiceContext } from '@catalog/kit'
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  kafkaCheck,
  kafkaConnection,
  PLATFORM_TOPICS,
  runGrpcService,
  serverDeps,
} from '@catalog/kit'
import { events } from '@catalog/proto'
import type { IngestionConfig } from './config.ts'
import { loadIngestionConfig } from './config.ts'
import { recordedScan, scheduleDrops } from './drops/daily-drops.ts'
import { dropFolderOf, startDropEvents } from './drops/drop-events.ts'
import { startAppliedConsumer } from './jobs/applied-consumer.ts'
import { forgetOldClaims } from './jobs/dead-letters.ts'
import { publishJobEvent } from './jobs/job-runner.ts'
import type { JobRow } from './jobs/job-store.ts'
import { failAbandoned, failUnapplied } from './jobs/job-store.ts'
import { build, MIGRATIONS_DIR } from './server.ts'
import { areaOf, dropScan, ingestSources, runnerOptions } from './wiring.ts'

await runGrpcService({
  name: 'ingestion',
  loadConfig: loadIngestionConfig,
  migrationsDir: MIGRATIONS_DIR,
  async start(ctx: ServiceContext<IngestionConfig>) {
    const { config, log, pool } = ctx
    const kafka = createKafka({ ...kafkaConnection(config), clientId: config.SERVICE_NAME, log })
    if (config.KAFKA_CREATE_TOPICS) await ensureTopics(kafka, PLATFORM_TOPICS)
    const producer = await createIdempotentProducer(kafka, log)
    const sources = ingestSources(config, log)
    const { server, jobs, jobMetrics } = build({
      ...serverDeps(ctx, { callers: config.INGESTION_ALLOWED_CALLERS, forwarders: config.INGESTION_FORWARDERS }),
      pool,
      producer,
      kafka,
      sources,
      areaOf: areaOf(config),
      options: runnerOptions(config),
    })
    const scan = dropScan(config, sources, { pool, start: (tenant, uri) => jobs.startDrop(tenant, uri), log })
    // The catalog's totals of each job's records: what completes an applying job.
    const applied = await startAppliedConsumer(kafka, {
      pool,
      producer,
      log,
      metrics: ctx.metrics,
      jobMetrics,
      groupId: config.INGESTION_APPLIED_GROUP,
      catalogGroup: config.INGEST_CATALOG_GROUP,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    })
    // Jobs whose process died, and jobs the catalog stopped applying: failed, so their files can be
    // started again. Claims of dead letters the DLQ no longer holds: forgotten.
    // Totals the catalog sent while this process was away are read first: no job fails for want of
    // them until the timeout has passed since the start.
    const startedAt = Date.now()
    const announce = (job: JobRow) =>
      publishJobEvent(producer, events.INGESTION_TYPES.jobFailed, job).catch((err: unknown) =>
        log.warn({ err, job: job.id }, 'could not publish the end of a job'),
      )
    const sweep = async () => {
      for (const job of await failAbandoned(pool, config.INGEST_JOB_LEASE_MS)) {
        log.warn({ job: job.id }, 'job interrupted')
        await announce(job)
      }
      await forgetOldClaims(pool)
      if (Date.now() - startedAt < config.INGEST_APPLY_TIMEOUT_MS) return
      for (const job of await failUnapplied(pool, config.INGEST_APPLY_TIMEOUT_MS)) {
        jobMetrics.finished.inc({ state: 'failed' })
        log.error(
          { job: job.id, tenant: job.tenant, accepted: job.accepted, applied: job.applied, rejected: job.catalog_rejected },
          'job failed: the catalog stopped applying its records',
        )
        await announce(job)
      }
    }
    await sweep()
    const sweeper = setInterval(
      () => void sweep().catch((err: unknown) => log.warn({ err }, 'sweep failed')),
      config.INGEST_JOB_LEASE_MS,
    )
    sweeper.unref()
    // Jobs run on in the background: a scheduled scan fails when a file could not be started.
    const drops =
      scan && config.DROP_CRON && config.DROP_URI
        ? scheduleDrops(
            config.DROP_CRON,
            () => recordedScan({ pool, log }, config.DROP_URI ?? '', scan, (c) => c.failed + c.waiting === 0),
            log,
          )
        : undefined
    // Each object the store announces in the drop folder starts at once; the scan finds what events missed.
    const folder = config.DROP_EVENTS_TOPIC ? dropFolderOf(config.DROP_URI ?? '') : undefined
    const dropEvents = folder
      ? await startDropEvents(kafka, {
          topic: config.DROP_EVENTS_TOPIC,
          groupId: config.DROP_EVENTS_GROUP,
          folder,
          start: (uri) => jobs.startDrop(config.DROP_TENANT, uri),
          producer,
          log,
          metrics: ctx.metrics,
          sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        })
      : undefined
    return {
      server,
      // Job reads and cancels still work while Kafka is away; running jobs wait for it.
      checks: { kafka: { soft: true, check: kafkaCheck(kafka) } },
      workers: [
        {
          name: 'ingestion jobs',
          async run() {
            clearInterval(sweeper)
            drops?.stop()
            await dropEvents?.stop()
            await jobs.drain()
            await applied.stop()
            await producer.disconnect()
          },
        },
      ],
    }
  },
})
