import type { Pool, PoolClient } from '@catalog/kit'
import { withTransaction } from '@catalog/kit'
import { jobCodes, jobError } from '../errors.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** `applying`: every record read and the accepted ones published, the catalog not yet done with them. */
export type JobStateName = 'running' | 'applying' | 'completed' | 'failed' | 'cancelled'

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
  /** Accepted records the catalog applied, and refused, so far (its `ingest.applied` totals). */
  applied: string
  catalog_rejected: string
}

/** `replay`: dead letters re-driven (ReplayDeadLetters). */
export type JobOrigin = 'request' | 'upload' | 'drop' | 'replay'

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

/** The job of this file that makes a new start a duplicate: completed, being applied, or running and alive. */
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
        AND (state IN ('completed', 'applying')
             OR (state = 'running' AND heartbeat_at > now() - make_interval(secs => $4::float8 / 1000)))
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
    `SELECT * FROM jobs WHERE tenant = $1 AND idempotency_key = $2 AND state IN ('running', 'applying', 'completed')`,
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

/**
 * Whether the job should stop: a cancel was asked for, or it is no longer running (the sweep failed
 * it). Asked by a job's process while the job waits, it also proves the job alive: a replay reading
 * past other tenants' dead letters, or a run waiting for its source, keeps its lease.
 */
export async function isCancelRequested(pool: Pool, id: string): Promise<boolean> {
  const { rows } = await pool.query<{ stop: boolean }>(
    `UPDATE jobs SET heartbeat_at = now() WHERE id = $1 AND state = 'running' RETURNING cancel_requested AS stop`,
    [id],
  )
  return rows[0]?.stop ?? true
}

/**
 * Ends a running job. With `awaitApplied`, a run that completed is `applying` until the catalog's
 * totals account for every accepted record (recordApplied), or `completed` at once when they
 * already do (the catalog may apply the last batch before the run ends).
 */
export async function finishJob(
  pool: Pool,
  id: string,
  state: Exclude<JobStateName, 'running' | 'applying'>,
  error: string,
  total: number | null,
  awaitApplied = false,
): Promise<JobRow | undefined> {
  const applying = awaitApplied && state === 'completed'
  const { rows } = await pool.query<JobRow>(
    `UPDATE jobs SET state = CASE WHEN $5 AND applied + catalog_rejected < accepted THEN 'applying' ELSE $2 END,
                     error = $3, total = coalesce($4, total), updated_at = now(),
                     finished_at = CASE WHEN $5 AND applied + catalog_rejected < accepted THEN NULL ELSE now() END
      WHERE id = $1 AND state = 'running' RETURNING *`,
    [id, state, error, total, applying],
  )
  return rows[0]
}

/** The catalog's running totals of a job's records on one partition (an `ingest.applied` event). */
export interface AppliedTotals {
  jobId: string
  tenant: string
  partition: number
  applied: string
  rejected: string
}

/**
 * Keeps the greatest totals seen of each job and partition (events may come again or out of
 * order; totals only grow), sums them on the job, and completes the `applying` jobs they now
 * account for. Totals naming a job of another tenant, or none, change nothing. Answers the jobs
 * completed here.
 */
export async function recordApplied(pool: Pool, totals: readonly AppliedTotals[]): Promise<JobRow[]> {
  if (totals.length === 0) return []
  const rows = totals
    .filter((t) => UUID.test(t.jobId))
    .map((t) => ({ job_id: t.jobId, tenant: t.tenant, p: t.partition, applied: t.applied, rejected: t.rejected }))
  return withTransaction(pool, async (c) => {
    await c.query('INSERT INTO applied_seen (at) VALUES (now()) ON CONFLICT (one) DO UPDATE SET at = excluded.at')
    if (rows.length === 0) return []
    // The jobs first, in id order: two readers of one job's totals (a rebalance) sum them one after the other.
    await c.query('SELECT 1 FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [
      [...new Set(rows.map((r) => r.job_id))],
    ])
    const { rows: known } = await c.query<{ job_id: string }>(
      `WITH e AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(job_id uuid, tenant text, p integer, applied bigint, rejected bigint)
       )
       INSERT INTO job_applied AS a (job_id, partition, applied, rejected)
       SELECT j.id, e.p, e.applied, e.rejected FROM e JOIN jobs j ON j.id = e.job_id AND j.tenant = e.tenant
       ON CONFLICT (job_id, partition) DO UPDATE
          SET applied = greatest(a.applied, excluded.applied), rejected = greatest(a.rejected, excluded.rejected)
       RETURNING job_id`,
      [JSON.stringify(rows)],
    )
    const ids = [...new Set(known.map((r) => r.job_id))]
    if (ids.length === 0) return []
    await c.query(
      `UPDATE jobs j SET applied = s.applied, catalog_rejected = s.rejected, updated_at = now()
         FROM (SELECT job_id, sum(applied) AS applied, sum(rejected) AS rejected
                 FROM job_applied WHERE job_id = ANY($1::uuid[]) GROUP BY job_id) s
        WHERE j.id = s.job_id AND (j.applied, j.catalog_rejected) IS DISTINCT FROM (s.applied, s.rejected)`,
      [ids],
    )
    const { rows: completed } = await c.query<JobRow>(
      `UPDATE jobs SET state = 'completed', finished_at = now(), updated_at = now()
        WHERE id = ANY($1::uuid[]) AND state = 'applying' AND applied + catalog_rejected >= accepted
        RETURNING *`,
      [ids],
    )
    return completed
  })
}

/**
 * Jobs whose records the catalog stopped applying: failed, so their files can be started again.
 * A job fails when its totals have not moved for `timeoutMs` and neither have any job's: the
 * catalog's pipeline is silent. While totals of other jobs arrive, the catalog is working through
 * what came before (the job waits; its gauge and alert say how long).
 */
export async function failUnapplied(pool: Pool, timeoutMs: number): Promise<JobRow[]> {
  const { rows } = await pool.query<JobRow>(
    `UPDATE jobs SET state = 'failed', error = $2, finished_at = now(), updated_at = now()
      WHERE state = 'applying' AND updated_at < now() - make_interval(secs => $1::float8 / 1000)
        AND coalesce((SELECT at FROM applied_seen), '-infinity') < now() - make_interval(secs => $1::float8 / 1000)
      RETURNING *`,
    [timeoutMs, jobError(jobCodes.notApplied)],
  )
  return rows
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
            heartbeat_at, finished_at, origin, attempt, retry_at, quarantined_at, released_at, applied, catalog_rejected
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
