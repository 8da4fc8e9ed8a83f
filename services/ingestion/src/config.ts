import { ConfigError, commonEnv, grpcServerEnv, kafkaConsumerEnv, kafkaEnv, loadConfig, postgresEnv } from '@catalog/kit'
import type { Static, TProperties } from 'typebox'
import { Type } from 'typebox'
import { DEFAULT_TENANT_PREFIX, inArea, TENANT_PATTERN, TENANT_PREFIX_PATTERN, tenantArea } from './sources/tenant-area.ts'

/** What reading and publishing files needs, in the service and in the one-shot drop scan alike. */
const ingestSettings = {
  /** file:// URIs are read only under this folder (resolved, symlinks followed). */
  INGEST_FILE_ROOT: Type.String({ minLength: 1, default: './data/ingest' }),
  /** Buckets that s3:// URIs may name, comma-separated; empty: no s3:// at all. */
  INGEST_S3_BUCKETS: Type.String({ default: '' }),
  /**
   * Each tenant's area, the key prefix (in every bucket) and folder (under INGEST_FILE_ROOT) it
   * alone may read: relative, ending in `/`, with `{tenant}` once as a whole segment.
   */
  INGEST_TENANT_PREFIX: Type.String({ pattern: TENANT_PREFIX_PATTERN, default: DEFAULT_TENANT_PREFIX }),
  /** An S3-compatible endpoint (MinIO, Ceph, R2...); unset: the AWS default for the region. */
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  S3_REGION: Type.String({ minLength: 1, default: 'us-east-1' }),
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: true }),
  /** How long a connection to the object store may take to open. */
  S3_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 300_000, default: 5_000 }),
  /**
   * How long a request to the object store may wait for its answer, and a read of an object for its
   * next bytes: past it the request fails (a job with ING_ERR_SOURCE_UNAVAILABLE) instead of hanging.
   */
  S3_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  /**
   * github-gists://<user> imports read the GitHub REST API here: GitHub's, or a GitHub Enterprise
   * server's (`https://ghe.example.com/api/v3`); empty: no gists source. Never taken from a request.
   */
  GITHUB_API_URL: Type.String({ pattern: '^(https?://.+)?$', default: 'https://api.github.com' }),
  /** Origins a truncated gist file's raw URL may be fetched from, comma-separated (the API's own always). */
  GITHUB_RAW_ORIGINS: Type.String({ default: 'https://gist.githubusercontent.com' }),
  /** A JSON file of each tenant's GitHub token ({"acme": "github_pat_..."}): its private gists, a higher rate limit. */
  GITHUB_TOKENS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** Bytes of one gist file's content read into the gist's searchable text (which holds 20,000 characters in all). */
  GISTS_MAX_FILE_BYTES: Type.Integer({ minimum: 1024, maximum: 100 * 1024 ** 2, default: 1024 ** 2 }),
  /** Gists one import reads at most. */
  GISTS_MAX_GISTS: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
  /** The longest wait for GitHub's rate limit to reset before an import fails (ING_ERR_SOURCE_UNAVAILABLE) instead. */
  GISTS_MAX_RATE_LIMIT_WAIT_MS: Type.Integer({ minimum: 0, default: 15 * 60_000 }),
  /** A job fails when more than this share of its records are bad (checked after 1,000 records and at the end). */
  INGEST_MAX_ERROR_RATIO: Type.Number({ minimum: 0, maximum: 1, default: 0.1 }),
  /** What a gzip input may expand to: past it the job fails (a gzip bomb). */
  INGEST_MAX_DECOMPRESSED_BYTES: Type.Integer({ minimum: 1024, default: 16 * 1024 ** 3 }),
  /** Records per Kafka send: bigger batches, fewer round trips, more memory. */
  INGEST_BATCH_RECORDS: Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000 }),
  /** Bytes per Kafka send, whichever of the two comes first: records may be up to 1 MiB each. */
  INGEST_BATCH_BYTES: Type.Integer({ minimum: 64 * 1024, maximum: 64 * 1024 ** 2, default: 1024 ** 2 }),
  /** Jobs one tenant may have running at once (uploads and files); past it a start is RESOURCE_EXHAUSTED. */
  INGEST_MAX_RUNNING_JOBS: Type.Integer({ minimum: 1, maximum: 1_000, default: 4 }),
  /** How often a running job saves its progress (and proves it is alive). */
  INGEST_PROGRESS_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 1_000 }),
  /** A running job whose process stopped proving it is alive this long ago failed (the process died). */
  INGEST_JOB_LEASE_MS: Type.Integer({ minimum: 1_000, default: 30_000 }),
  /**
   * When a job that read its whole input is `completed`: once the catalog applied (or refused)
   * every accepted record (`applied`; the job is `applying` until then), or once they are
   * published (`published`: for records some other consumer than the catalog reads).
   */
  INGEST_COMPLETE_WHEN: Type.Union([Type.Literal('applied'), Type.Literal('published')], { default: 'applied' }),
  /** Daily drops: a folder or bucket prefix in DROP_TENANT's area, scanned on a schedule; unset: no scan. */
  DROP_URI: Type.Optional(Type.String({ pattern: '^(file|s3)://' })),
  /** When this process scans DROP_URI; empty: never (in Kubernetes the drops CronJob scans instead). */
  DROP_CRON: Type.String({ default: '0 3 * * *' }),
  /** The tenant that owns the files dropped there: its jobs run as this tenant, in its area only. */
  DROP_TENANT: Type.String({ pattern: TENANT_PATTERN, default: 'default' }),
  /** Attempts of a dropped file that fails on a transient cause before it is quarantined. */
  DROP_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** The wait before a failed drop's second attempt; each next wait doubles, drawn between half and all of it. */
  DROP_RETRY_BASE_MS: Type.Integer({ minimum: 0, default: 60_000 }),
  /** The longest wait between two attempts of a dropped file. */
  DROP_RETRY_MAX_MS: Type.Integer({ minimum: 0, default: 6 * 3_600_000 }),
  /**
   * How often a scan lists the whole s3:// drop folder; between, each lists only the keys after
   * the last one the scan before listed (StartAfter), as a folder of dated names only grows. A
   * file under a name that sorts before it (rewritten, or named at random) waits for the next
   * whole listing unless its object store event (DROP_EVENTS_TOPIC) started it. 0 (the default):
   * every scan lists the whole folder, for any naming; a week suits a folder whose events are on.
   * A file:// folder is always read whole.
   */
  DROP_FULL_LISTING_MS: Type.Integer({ minimum: 0, default: 0 }),
} satisfies TProperties

export const ingestionEnv = Type.Object({
  ...commonEnv,
  SERVICE_NAME: Type.String({ minLength: 1, default: 'ingestion' }),
  ...grpcServerEnv,
  ...postgresEnv,
  ...kafkaEnv,
  ...kafkaConsumerEnv,
  /** Workload identities allowed to call ingestion, comma-separated. */
  INGESTION_ALLOWED_CALLERS: Type.String({ default: 'gateway' }),
  /** Of those, the ones trusted to forward an end user's principal, comma-separated; empty: none. */
  INGESTION_FORWARDERS: Type.String({ default: 'gateway' }),
  /** The group that reads the catalog's totals of each job's records (catalog.ingest.v1). */
  INGESTION_APPLIED_GROUP: Type.String({ minLength: 1, default: 'ingestion-applied' }),
  /** The catalog's consumer group (its CATALOG_INGEST_GROUP): only its totals complete a job. */
  INGEST_CATALOG_GROUP: Type.String({ minLength: 1, default: 'catalog-ingest' }),
  /**
   * An `applying` job fails (ING_ERR_NOT_APPLIED) when neither its totals nor any job's moved for
   * this long: the catalog is stuck or away. Not before this long after the process started.
   */
  INGEST_APPLY_TIMEOUT_MS: Type.Integer({ minimum: 1_000, default: 15 * 60_000 }),
  /**
   * The topic the object store publishes S3 event notifications of the drop bucket to (MinIO's
   * and Ceph's Kafka notification target): each new object in DROP_URI (s3:// only) is a job
   * within seconds, the scan still finding what events missed. Empty: no events, the scan alone.
   */
  DROP_EVENTS_TOPIC: Type.String({ default: '' }),
  /** The group that reads DROP_EVENTS_TOPIC. */
  DROP_EVENTS_GROUP: Type.String({ minLength: 1, default: 'ingestion-drop-events' }),
  ...ingestSettings,
})

export type IngestionConfig = Readonly<Static<typeof ingestionEnv>>

/** The drop scan Job (`node src/scan-drops.ts`): no gRPC server, no certificate, a drop folder it must have. */
export const dropScanEnv = Type.Object({
  ...commonEnv,
  SERVICE_NAME: Type.String({ minLength: 1, default: 'ingestion' }),
  ...postgresEnv,
  ...kafkaEnv,
  ...ingestSettings,
  DROP_URI: Type.String({ pattern: '^(file|s3)://' }),
})

export type DropScanConfig = Readonly<Static<typeof dropScanEnv>>

/**
 * DROP_URI must lie in DROP_TENANT's area: the scan runs as that tenant and may read nothing else,
 * so a drop folder elsewhere stops the start instead of failing every scan.
 */
function dropInArea<C extends { DROP_URI?: string | undefined; DROP_TENANT: string; INGEST_TENANT_PREFIX: string }>(
  config: C,
): C {
  if (!config.DROP_URI) return config
  const area = tenantArea(config.INGEST_TENANT_PREFIX, config.DROP_TENANT)
  const url = URL.parse(config.DROP_URI)
  if (!url || !inArea(url, area))
    throw new ConfigError(
      `invalid configuration: DROP_URI must be under ${url?.protocol ?? 'file:'}//${url?.hostname ?? ''}/${area}, the area of DROP_TENANT "${config.DROP_TENANT}"`,
    )
  return config
}

/** Events name objects in a bucket: they need a drop folder, in one. */
function eventsOnBucket(config: IngestionConfig): IngestionConfig {
  if (config.DROP_EVENTS_TOPIC && !config.DROP_URI?.startsWith('s3://'))
    throw new ConfigError(
      'invalid configuration: DROP_EVENTS_TOPIC needs DROP_URI to name an s3:// drop folder (events announce objects in a bucket)',
    )
  return config
}

export const loadIngestionConfig = (env: NodeJS.ProcessEnv = process.env): IngestionConfig =>
  eventsOnBucket(dropInArea(loadConfig(ingestionEnv, env)))

export const loadDropScanConfig = (env: NodeJS.ProcessEnv = process.env): DropScanConfig =>
  dropInArea(loadConfig(dropScanEnv, env))
