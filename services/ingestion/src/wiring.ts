import type { Logger } from '@catalog/kit'
import { list } from '@catalog/kit'
import type { DropScanConfig } from './config.ts'
import { scanDrops } from './drops/daily-drops.ts'
import type { DropSkip } from './drops/drop-retries.ts'
import type { RunnerOptions } from './jobs/job-runner.ts'
import { fileSource } from './sources/file-source.ts'
import { s3Source } from './sources/s3-source.ts'
import type { Source } from './sources/source.ts'
import { pickSource } from './sources/source.ts'
import { tenantArea } from './sources/tenant-area.ts'

/** The settings both the service and the one-shot drop scan read files and run jobs by. */
type IngestSettings = Omit<DropScanConfig, 'DROP_URI' | 'SERVICE_NAME' | 'LOG_LEVEL'> & { DROP_URI?: string | undefined }

export type Sources = { file: Source; s3?: Source }

/** file:// under INGEST_FILE_ROOT always; s3:// only when buckets are named. */
export function ingestSources(config: IngestSettings): Sources {
  const buckets = list(config.INGEST_S3_BUCKETS)
  if (buckets.length === 0) return { file: fileSource(config.INGEST_FILE_ROOT) }
  return {
    file: fileSource(config.INGEST_FILE_ROOT),
    s3: s3Source({
      buckets,
      region: config.S3_REGION,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      connectTimeoutMs: config.S3_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: config.S3_REQUEST_TIMEOUT_MS,
      ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    }),
  }
}

/** A tenant's area under INGEST_TENANT_PREFIX. */
export const areaOf =
  (config: IngestSettings) =>
  (tenant: string): string =>
    tenantArea(config.INGEST_TENANT_PREFIX, tenant)

export function runnerOptions(config: IngestSettings): RunnerOptions & { leaseMs: number; maxRunningJobs: number } {
  return {
    dropRetry: { maxAttempts: config.DROP_MAX_ATTEMPTS, baseMs: config.DROP_RETRY_BASE_MS, maxMs: config.DROP_RETRY_MAX_MS },
    awaitApplied: config.INGEST_COMPLETE_WHEN === 'applied',
    batchRecords: config.INGEST_BATCH_RECORDS,
    batchBytes: config.INGEST_BATCH_BYTES,
    maxRunningJobs: config.INGEST_MAX_RUNNING_JOBS,
    progressMs: config.INGEST_PROGRESS_MS,
    maxErrorRatio: config.INGEST_MAX_ERROR_RATIO,
    maxDecompressedBytes: config.INGEST_MAX_DECOMPRESSED_BYTES,
    leaseMs: config.INGEST_JOB_LEASE_MS,
  }
}

export type DropScan = () => ReturnType<typeof scanDrops>

/**
 * The scan of DROP_URI, resolved once: a drop folder this process may not read is a configuration
 * error at start, not a warning at 3 a.m. The scan lists and starts files as DROP_TENANT, in its
 * area only (config.ts refused a DROP_URI outside it). Undefined when no drop folder is set.
 */
export function dropScan(
  config: IngestSettings,
  sources: Sources,
  deps: { start: (tenant: string, uri: string) => Promise<{ step: 'started' | DropSkip }>; log: Logger },
): DropScan | undefined {
  if (!config.DROP_URI) return undefined
  const prefix = config.DROP_URI
  const { source, url } = pickSource(prefix, sources, 'DROP_URI')
  const area = areaOf(config)(config.DROP_TENANT)
  return () =>
    scanDrops({ list: () => source.list(url, area), start: (uri) => deps.start(config.DROP_TENANT, uri), log: deps.log }, prefix)
}
