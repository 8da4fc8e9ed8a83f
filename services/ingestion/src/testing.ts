import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Metrics, PlatformGrpcServer, Pool, Producer } from '@catalog/kit'
import { createIdempotentProducer, createKafka, ensureTopics, PLATFORM_TOPICS } from '@catalog/kit'
import { listenForTest, testKafka, testServiceBase } from '@catalog/kit/testing'
import type { RunnerMetrics, RunnerOptions } from './jobs/job-runner.ts'
import type { createJobService } from './jobs/job-service.ts'
import { build, MIGRATIONS_DIR } from './server.ts'
import { fileSource } from './sources/file-source.ts'
import type { S3Options } from './sources/s3-source.ts'
import { createS3Client, s3Source } from './sources/s3-source.ts'
import type { Source } from './sources/source.ts'
import { DEFAULT_TENANT_PREFIX, tenantArea } from './sources/tenant-area.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface TestIngestion {
  address: string
  port: number
  pool: Pool
  producer: Producer
  /** The folder file:// URIs are read under. */
  fileRoot: string
  /** A tenant's area under the file root and in each bucket (`tenants/<tenant>/`). */
  areaOf: (tenant: string) => string
  server: PlatformGrpcServer
  jobs: ReturnType<typeof createJobService>
  metrics: Metrics
  jobMetrics: RunnerMetrics
}

/**
 * A real ingestion service for tests: its own database, a fresh file root, the test Kafka, and
 * the test S3 server (buckets `ingest-test`, `ingest-drops` and `ingest-events`) when TEST_S3_ENDPOINT is set.
 * Tenants read their areas under the default INGEST_TENANT_PREFIX.
 */
export async function startTestIngestion(
  t: Tap,
  options: Partial<RunnerOptions & { leaseMs: number; maxRunningJobs: number }> = {},
  /** Sources beside file:// and s3:// (github-gists:// on a local server). */
  extra: { gists?: Source } = {},
): Promise<TestIngestion> {
  const base = await testServiceBase(t, 'ingestion', { migrationsDir: MIGRATIONS_DIR, poolMax: 8, statementTimeoutMs: 10_000 })
  const { pool, log } = base
  const kafka = createKafka({ ...testKafka(), clientId: 'ingestion-test', log })
  await ensureTopics(kafka, PLATFORM_TOPICS)
  const producer = await createIdempotentProducer(kafka, log)
  const fileRoot = await mkdtemp(join(tmpdir(), 'ingest-root-'))
  const s3 = testS3Env()
  const areaOf = (tenant: string) => tenantArea(DEFAULT_TENANT_PREFIX, tenant)
  t.teardown(async () => {
    await jobs.drain()
    await producer.disconnect()
  })
  const { server, jobs, jobMetrics } = build({
    ...base.serverDeps,
    pool,
    producer,
    kafka,
    sources: {
      file: fileSource(fileRoot),
      ...(s3 ? { s3: s3Source({ buckets: ['ingest-test', 'ingest-drops', 'ingest-events'], ...s3 }, createS3Client(s3)) } : {}),
      ...extra,
    },
    areaOf,
    options: {
      batchRecords: 200,
      batchBytes: 1024 * 1024,
      maxRunningJobs: 16,
      progressMs: 200,
      maxErrorRatio: 0.5,
      maxDecompressedBytes: 64 * 1024 * 1024,
      leaseMs: 30_000,
      // A failed drop may start again at once, three attempts in all.
      dropRetry: { maxAttempts: 3, baseMs: 0, maxMs: 0 },
      ...options,
    },
  })
  // Torn down in reverse: the server drains, then running jobs finish and the producer closes, then the pool.
  const { port, address } = await listenForTest(t, server)
  return { address, port, pool, producer, fileRoot, areaOf, server, jobs, metrics: base.metrics, jobMetrics }
}

/** The test S3 server's endpoint, when the test setup started one (credentials go through the AWS SDK's env). */
export function testS3Env(): (Omit<S3Options, 'buckets'> & { endpoint: string }) | undefined {
  const endpoint = process.env.TEST_S3_ENDPOINT
  if (!endpoint) return undefined
  process.env.AWS_ACCESS_KEY_ID ??= process.env.TEST_S3_ACCESS_KEY
  process.env.AWS_SECRET_ACCESS_KEY ??= process.env.TEST_S3_SECRET_KEY
  return { endpoint, region: 'us-east-1', forcePathStyle: true, connectTimeoutMs: 5_000, requestTimeoutMs: 30_000 }
}
