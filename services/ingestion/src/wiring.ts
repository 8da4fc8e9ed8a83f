import { readFileSync } from 'node:fs'
import type { Logger, Pool } from '@catalog/kit'
import { ConfigError, list } from '@catalog/kit'
import type { DropScanConfig } from './config.ts'
import { scanDrops } from './drops/daily-drops.ts'
import { incrementalScan } from './drops/drop-listing.ts'
import type { DropSkip } from './drops/drop-retries.ts'
import type { RunnerOptions } from './jobs/job-runner.ts'
import { fileSource } from './sources/file-source.ts'
import { gistsSource } from './sources/gists-source.ts'
import { s3Source } from './sources/s3-source.ts'
import type { Source } from './sources/source.ts'
import { pickSource } from './sources/source.ts'
import { tenantArea } from './sources/tenant-area.ts'

/** The settings both the service and the one-shot drop scan read files and run jobs by. */
type IngestSettings = Omit<DropScanConfig, 'DROP_URI' | 'SERVICE_NAME' | 'LOG_LEVEL'> & { DROP_URI?: string | undefined }

export type Sources = { file: Source; s3?: Source; gists?: Source }

/**
 * file:// under INGEST_FILE_ROOT always; s3:// only when buckets are named; github-gists:// when
 * GITHUB_API_URL is set (each tenant's token from GITHUB_TOKENS_FILE, read once here).
 */
export function ingestSources(config: IngestSettings, log: Logger): Sources {
  const buckets = list(config.INGEST_S3_BUCKETS)
  return {
    file: fileSource(config.INGEST_FILE_ROOT),
    ...(buckets.length > 0
      ? {
          s3: s3Source({
            buckets,
            region: config.S3_REGION,
            forcePathStyle: config.S3_FORCE_PATH_STYLE,
            connectTimeoutMs: config.S3_CONNECT_TIMEOUT_MS,
            requestTimeoutMs: config.S3_REQUEST_TIMEOUT_MS,
            ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
          }),
        }
      : {}),
    ...(config.GITHUB_API_URL
      ? {
          gists: gistsSource({
            apiUrl: config.GITHUB_API_URL,
            rawOrigins: list(config.GITHUB_RAW_ORIGINS),
            tokenOf: tokensOf(config.GITHUB_TOKENS_FILE),
            maxFileBytes: config.GISTS_MAX_FILE_BYTES,
            maxGists: config.GISTS_MAX_GISTS,
            maxRateLimitWaitMs: config.GISTS_MAX_RATE_LIMIT_WAIT_MS,
            requestTimeoutMs: config.S3_REQUEST_TIMEOUT_MS,
            log,
          }),
        }
      : {}),
  }
}

/** Each tenant's GitHub token, from a JSON object file ({"acme": "github_pat_..."}); a file that is no such object stops the start. */
function tokensOf(file: string | undefined): (tenant: string) => string | undefined {
  if (!file) return () => undefined
  let tokens: unknown
  try {
    tokens = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ConfigError(
      `invalid configuration: GITHUB_TOKENS_FILE ${file} is no readable JSON file (${(err as Error).message})`,
    )
  }
  if (typeof tokens !== 'object' || tokens === null || Object.values(tokens).some((v) => typeof v !== 'string'))
    throw new ConfigError('invalid configuration: GITHUB_TOKENS_FILE must hold a JSON object of tenant to token strings')
  const map = new Map(Object.entries(tokens as Record<string, string>))
  return (tenant) => map.get(tenant)
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
 * area only (config.ts refused a DROP_URI outside it), from where the last scan's listing ended
 * (drops/drop-listing.ts; the whole folder every DROP_FULL_LISTING_MS). Undefined when no drop
 * folder is set.
 */
export function dropScan(
  config: IngestSettings,
  sources: Sources,
  deps: {
    pool: Pool
    start: (tenant: string, uri: string) => Promise<{ step: 'started' | DropSkip; held?: boolean }>
    log: Logger
  },
): DropScan | undefined {
  if (!config.DROP_URI) return undefined
  const prefix = config.DROP_URI
  const { source, url } = pickSource(prefix, sources, 'DROP_URI')
  const area = areaOf(config)(config.DROP_TENANT)
  return async () => {
    const scan = incrementalScan(
      deps,
      // A folder is read whole by any listing (and has no events to catch a name sorting early): every scan lists it all.
      { uri: prefix, tenant: config.DROP_TENANT, fullEveryMs: url.protocol === 's3:' ? config.DROP_FULL_LISTING_MS : 0 },
      (after) => source.list(url, area, after),
      (uri) => deps.start(config.DROP_TENANT, uri),
    )
    const counts = await scanDrops({ list: scan.list, start: scan.start, log: deps.log }, prefix)
    await scan.finish()
    return counts
  }
}
