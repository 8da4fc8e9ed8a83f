import { fileURLToPath } from 'node:url'
import type { Kafka, PlatformGrpcServer, Pool, Producer, ServiceServerDeps } from '@catalog/kit'
import { createServiceServer, implement } from '@catalog/kit'
import type { ingestion } from '@catalog/proto'
import { loadIngestion } from '@catalog/proto'
import { createDropMetrics } from './drops/drop-metrics.ts'
import type { RunnerMetrics, RunnerOptions } from './jobs/job-runner.ts'
import { runnerMetrics } from './jobs/job-runner.ts'
import { createJobService, jobHandlers } from './jobs/job-service.ts'
import type { Source } from './sources/source.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url))

export interface IngestionDeps extends ServiceServerDeps {
  pool: Pool
  producer: Producer
  sources: { file: Source; s3?: Source; gists?: Source }
  /** The key prefix or folder a tenant may read (`tenants/acme/`). */
  areaOf: (tenant: string) => string
  options: RunnerOptions & { leaseMs: number; maxRunningJobs: number }
  /** What replays read the DLQ with. */
  kafka?: Kafka
}

/** The ingestion gRPC server and its job service, built around the given dependencies, not yet listening. */
export function build(deps: IngestionDeps): {
  server: PlatformGrpcServer
  jobs: ReturnType<typeof createJobService>
  jobMetrics: RunnerMetrics
} {
  const { definition, grpc } = loadIngestion()
  const server = createServiceServer('ingestion.v1.IngestionService', definition, deps)
  const jobMetrics = runnerMetrics(deps.metrics)
  const jobs = createJobService({
    pool: deps.pool,
    producer: deps.producer,
    log: deps.log,
    options: deps.options,
    metrics: jobMetrics,
    sources: deps.sources,
    ...(deps.kafka ? { kafka: deps.kafka } : {}),
    areaOf: deps.areaOf,
    leaseMs: deps.options.leaseMs,
    maxRunningJobs: deps.options.maxRunningJobs,
  })
  createDropMetrics(deps.pool, deps.metrics)
  server.addService(
    grpc.ingestion.v1.IngestionService.service,
    implement<ingestion.IngestionServiceHandlers>(deps.log, jobHandlers(jobs, deps)),
  )
  return { server, jobs, jobMetrics }
}
