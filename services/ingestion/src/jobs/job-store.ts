import type { Pool, PoolClient } from '@catalog/kit'
import { jobCodes, jobError } from '../errors.ts'

export type JobStateName = 'running' | 'completed' | 'failed' | 'cancelled'

/** A row of `jobs` as pg returns it (bigint as string, timestamptz as Date). */
export interface JobRow {
  id: string
  tenant: string
  uri: string
  format: string
  content_key: string | null
  idempotency_key: string | null
  default_source: string
  state: JobStateName
  total: string
  processed: string
  accepted: string
  rejected: string
  bytes_read: string
  bytes_total: string | null
  errors: { position: number; field: string; reason: string }[]
  error: string
  cancel_requested: boolean
  created_at: Date
  updated_at: Date
  heartbeat_at: Date
  finished_at: Date | null
  /** How the job was started: a file by request, an upload, or a file of the drop folder. */
  origin: JobOrigin
  /** A dropped file's attempt this job is (1 for every other job). */
  attempt: number
  retry_at: Date | null
  quarantined_at: Date | null
  released_at: Date | null
}

export type JobOrigin = 'request' | 'upload' | 'drop'

export interface NewJob {
  id: string
  tenant: string
  uri: string
  format: string
  contentKey: string | null
  idempotencyKey: string | null
  defaultSource: string
  bytesTotal: number | null
  /** Default: request. */
  origin?: JobOrigin
  attempt?: number
}

export interface Progress {
  processed: number
  accepted: number
  rejected: number
  bytesRead: number
  /** Errors found since the last save; the job keeps the first 100 in all. */
  newErrors: { position: number; field: string; reason: string }[]
}

export const MAX_KEPT_ERRORS = 100

export async function insertJob(db: Pick<PoolClient, 'query'>, job: NewJob): Promise<JobRow> {
  const { rows } = await db.query<JobRow>(
    `INSERT INTO jobs (id, tenant, uri, format, content_key, idempotency_key, default_source, bytes_total, origin, attempt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [
      job.id,
      job.tenant,
      job.uri,
      job.format,
      job.contentKey,
      job.idempotencyKey,
      job.defaultSource,
      job.bytesTotal,
      job.origin ?? 'request',
      job.attempt ?? 1,
    ],
  )
  return rows[0] as JobRow
}

export async function getJob(db: Pick<Pool, 'query'>, tenant: string, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>('SELECT * FROM jobs WHERE id = $1 AND tenant = $2', [id, tenant])
  return rows[0]
}

/** The job of this file that makes a new start a duplicate: completed, or running and alive. */
export async function findLiveOrDone(
  c: PoolClient,
  tenant: string,
  uri: string,
  contentKey: string,
  leaseMs: number,
): Promise<JobRow | undefined> {
  const { rows } = await c.query<JobRow>(
    `SELECT * FROM jobs
      WHERE tenant = $1 AND uri = $2 AND content_key = $3
        AND (state = 'completed' OR (state = 'running' AND heartbeat_at > now() - make_interval(secs => $4::float8 / 1000)))
      ORDER BY created_at DESC LIMIT 1`,
    [tenant, uri, contentKey, leaseMs],
  )
  return rows[0]
}

/**
 * The latest attempt of this dropped file: a scan's next step starts from it. Jobs of the file
 * started by request answer a scan only when completed or live (findLiveOrDone), never as attempts.
 * Ids are UUIDv7, made under the file's lock: the greatest is the latest.
 */
export async function findLatestDrop(
  c: PoolClient,
  tenant: string,
  uri: string,
  contentKey: string,
): Promise<JobRow | undefined> {
  const { rows } = await c.query<JobRow>(
    `SELECT * FROM jobs WHERE tenant = $1 AND uri = $2 AND content_key = $3 AND origin = 'drop' ORDER BY id DESC LIMIT 1`,
    [tenant, uri, contentKey],
  )
  return rows[0]
}

/** Releases every quarantined attempt of the file at `uri` (whatever its content then): an operator started it again. */
export async function releaseFile(db: Pick<PoolClient, 'query'>, tenant: string, uri: string): Promise<void> {
  await db.query(
    `UPDATE jobs SET released_at = now(), updated_at = now()
      WHERE tenant = $1 AND uri = $2 AND quarantined_at IS NOT NULL AND released_at IS NULL`,
    [tenant, uri],
  )
}

/**
 * Dropped files quarantined: their latest quarantined attempt, not released, and no job of the
 * same file (by any origin, of any content) started after it. A file replaced since, or ingested
 * by request, no longer counts. (Every file job has a content key, which lets jobs_file answer.)
 */
export async function countQuarantined(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(DISTINCT (j.tenant, j.uri))::int AS n FROM jobs j
      WHERE j.quarantined_at IS NOT NULL AND j.released_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM jobs n
                         WHERE n.tenant = j.tenant AND n.uri = j.uri AND n.content_key IS NOT NULL AND n.id > j.id)`,
  )
  return rows[0]?.n ?? 0
}

export async function findByIdempotencyKey(c: PoolClient, tenant: string, key: string): Promise<JobRow | undefined> {
  const { rows } = await c.query<JobRow>(
    `SELECT * FROM jobs WHERE tenant = $1 AND idempotency_key = $2 AND state IN ('running', 'completed')`,
    [tenant, key],
  )
  return rows[0]
}

/** The tenant's running jobs whose process still proves them alive. */
export async function countLiveJobs(c: PoolClient, tenant: string, leaseMs: number): Promise<number> {
  const { rows } = await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM jobs
      WHERE tenant = $1 AND state = 'running' AND heartbeat_at > now() - make_interval(secs => $2::float8 / 1000)`,
    [tenant, leaseMs],
  )
  return rows[0]?.n ?? 0
}

/** Saves progress and proves the job alive; answers whether a cancel was asked for meanwhile. */
export async function saveProgress(pool: Pool, id: string, p: Progress): Promise<{ cancelRequested: boolean }> {
  const { rows } = await pool.query<{ cancel_requested: boolean }>(
    `UPDATE jobs
        SET processed = $2, accepted = $3, rejected = $4, bytes_read = $5,
            errors = CASE WHEN jsonb_array_length(errors) >= ${MAX_KEPT_ERRORS} THEN errors
                          ELSE (SELECT coalesce(jsonb_agg(e), '[]') FROM (
                                  SELECT e FROM jsonb_array_elements(errors || $6::jsonb) AS e LIMIT ${MAX_KEPT_ERRORS}) AS kept)
                     END,
            updated_at = now(), heartbeat_at = now()
      WHERE id = $1 AND state = 'running'
      RETURNING cancel_requested`,
    [id, p.processed, p.accepted, p.rejected, p.bytesRead, JSON.stringify(p.newErrors)],
  )
  return { cancelRequested: rows[0]?.cancel_requested ?? true }
}

/** Whether the job should stop: a cancel was asked for, or it is no longer running (the sweep failed it). */
export async function isCancelRequested(pool: Pool, id: string): Promise<boolean> {
  const { rows } = await pool.query<{ stop: boolean }>(
    `SELECT cancel_requested OR state <> 'running' AS stop FROM jobs WHERE id = $1`,
    [id],
  )
  return rows[0]?.stop ?? true
}

export async function finishJob(
  pool: Pool,
  id: string,
  state: Exclude<JobStateName, 'running'>,
  error: string,
  total: number | null,
): Promise<JobRow | undefined> {
  const { rows } = await pool.query<JobRow>(
    `UPDATE jobs SET state = $2, error = $3, total = coalesce($4, total), finished_at = now(), updated_at = now()
      WHERE id = $1 AND state = 'running' RETURNING *`,
    [id, state, error, total],
  )
  return rows[0]
}

/** Asks a running job to stop (its runner sees it at its next save) and answers the job. */
export async function requestCancel(pool: Pool, tenant: string, id: string): Promise<JobRow | undefined> {
  const { rows } = await pool.query<JobRow>(
    `UPDATE jobs SET cancel_requested = true, updated_at = now()
      WHERE id = $1 AND tenant = $2 AND state = 'running' RETURNING *`,
    [id, tenant],
  )
  return rows[0]
}

/** Running jobs whose process stopped proving it alive: they failed with it. */
export async function failAbandoned(pool: Pool, leaseMs: number): Promise<JobRow[]> {
  const { rows } = await pool.query<JobRow>(
    `UPDATE jobs SET state = 'failed', error = $2, finished_at = now(), updated_at = now()
      WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1::float8 / 1000)
      RETURNING *`,
    [leaseMs, jobError(jobCodes.interrupted)],
  )
  return rows
}

/**
 * A page of the tenant's jobs, newest first (ids are UUIDv7), after the id `after` when given.
 * Without their kept errors (up to 100 each): a page stays small, and one job's get has them.
 */
export async function listJobs(pool: Pool, tenant: string, after: string | undefined, limit: number): Promise<JobRow[]> {
  const { rows } = await pool.query<JobRow>(
    `SELECT id, tenant, uri, format, content_key, idempotency_key, default_source, state, total, processed, accepted,
            rejected, bytes_read, bytes_total, '[]'::jsonb AS errors, error, cancel_requested, created_at, updated_at,
            heartbeat_at, finished_at, origin, attempt, retry_at, quarantined_at, released_at
       FROM jobs WHERE tenant = $1 AND ($2::uuid IS NULL OR id < $2::uuid) ORDER BY id DESC LIMIT $3`,
    [tenant, after ?? null, limit],
  )
  return rows
}

/** How many of these jobs are in each state. */
export async function countStates(pool: Pool, tenant: string, ids: readonly string[]): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM jobs WHERE tenant = $1 AND id = ANY($2::uuid[]) GROUP BY state',
    [tenant, ids],
  )
  return Object.fromEntries(rows.map((r) => [r.state, r.n]))
}
