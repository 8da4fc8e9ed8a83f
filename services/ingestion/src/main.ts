import type { ServiceContext } from '@catalog/kit'
import { createIdempotentProducer, createKafka, ensureTopics, PLATFORM_TOPICS, runGrpcService } from '@catalog/kit'
import type { IngestionConfig } from './config.ts'
import { loadIngestionConfig } from './config.ts'
import { scanDrops, scheduleDrops } from './drops/daily-drops.ts'
import { failAbandoned } from './jobs/job-store.ts'
import { build, MIGRATIONS_DIR } from './server.ts'
import { fileSource } from './sources/file-source.ts'
import { s3Source } from './sources/s3-source.ts'
import { pickSource } from './sources/source.ts'

await runGrpcService({
  name: 'ingestion',
  loadConfig: loadIngestionConfig,
  migrationsDir: MIGRATIONS_DIR,
  async start(ctx: ServiceContext<IngestionConfig>) {
    const { config, log, metrics, tls, pool } = ctx
    const list = (value: string) =>
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: config.SERVICE_NAME, log })
    if (config.KAFKA_CREATE_TOPICS) await ensureTopics(kafka, PLATFORM_TOPICS)
    const producer = await createIdempotentProducer(kafka, log)
    const buckets = list(config.INGEST_S3_BUCKETS)
    const sources = {
      file: fileSource(config.INGEST_FILE_ROOT),
      ...(buckets.length > 0
        ? {
            s3: s3Source({
              buckets,
              region: config.S3_REGION,
              forcePathStyle: config.S3_FORCE_PATH_STYLE,
              ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
            }),
          }
        : {}),
    }
    const { server, jobs } = build({
      pool,
      producer,
      log,
      metrics,
      tls,
      trustDomain: config.TLS_TRUST_DOMAIN,
      callers: list(config.INGESTION_ALLOWED_CALLERS),
      sources,
      options: {
        batchRecords: config.INGEST_BATCH_RECORDS,
        progressMs: config.INGEST_PROGRESS_MS,
        maxErrorRatio: config.INGEST_MAX_ERROR_RATIO,
        maxDecompressedBytes: config.INGEST_MAX_DECOMPRESSED_BYTES,
        leaseMs: config.INGEST_JOB_LEASE_MS,
      },
    })
    // A drop folder this service may not read is a configuration error: say so at start.
    if (config.DROP_URI) pickSource(config.DROP_URI, sources, 'DROP_URI')
    // Jobs whose process died: failed, so their files can be started again.
    const sweep = async () => {
      for (const job of await failAbandoned(pool, config.INGEST_JOB_LEASE_MS)) log.warn({ job: job.id }, 'job interrupted')
    }
    await sweep()
    const sweeper = setInterval(
      () => void sweep().catch((err: unknown) => log.warn({ err }, 'sweep failed')),
      config.INGEST_JOB_LEASE_MS,
    )
    sweeper.unref()
    const drops = config.DROP_URI
      ? scheduleDrops(
          config.DROP_CRON,
          () => {
            const prefix = config.DROP_URI as string
            return scanDrops(
              {
                list: (p) => pickSource(p, sources, 'DROP_URI').source.list(new URL(p)),
                start: (uri) => jobs.startFile(config.DROP_TENANT, uri, ''),
                log,
              },
              prefix,
            )
          },
          log,
        )
      : undefined
    return {
      server,
      workers: [
        {
          name: 'ingestion jobs',
          async run() {
            clearInterval(sweeper)
            drops?.stop()
            await jobs.drain()
            await producer.disconnect()
          },
        },
      ],
    }
  },
})
