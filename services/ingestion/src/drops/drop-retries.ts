import type { Logger, Pool, PoolClient } from '@catalog/kit'
import { jobCodes } from '../errors.ts'
import type { JobRow } from '../jobs/job-store.ts'

/*
 * What happens to a dropped file after its job failed. A transient cause (the source or the broker
 * away, a crash, an internal error) is retried, each wait twice the last (from `baseMs`, at most
 * `maxMs`), drawn between half and all of it so that files failed together do not retry together;
 * a permanent cause (the input is unreadable or has too many bad records: the same file fails the
 * same way) or the last of `maxAttempts` quarantines the file. No scan starts a quarantined file
 * again; an operator releases it (POST /v1/ingestions/{id}/retry).
 */

export interface RetryPolicy {
  maxAttempts: number
  baseMs: number
  maxMs: number
}

/** DROP_MAX_ATTEMPTS, DROP_RETRY_BASE_MS and DROP_RETRY_MAX_MS by default. */
export const DROP_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 60_000, maxMs: 6 * 3_600_000 }

export type DropVerdict = { retryAt: Date } | { quarantined: string }

/** Failures that the same file meets again however often it is started. */
const PERMANENT: readonly string[] = [jobCodes.malformedInput, jobCodes.tooManyBadRecords]

export const isPermanent = (error: string) => PERMANENT.some((code) => error.startsWith(`${code}:`))

/** The verdict on a failed attempt of a dropped file that ended at `ended`. */
export function verdictOf(
  job: Pick<JobRow, 'error' | 'attempt'>,
  policy: RetryPolicy,
  ended: Date,
  random = Math.random,
): DropVerdict {
  if (isPermanent(job.error)) return { quarantined: 'its input cannot be ingested as it is' }
  if (job.attempt >= policy.maxAttempts) return { quarantined: `it failed ${job.attempt} attempts in a row` }
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (job.attempt - 1))
  return { retryAt: new Date(ended.getTime() + ceiling * (0.5 + random() / 2)) }
}

/**
 * Records the verdict on a failed drop job that has none yet (conclude and the scan may both
 * judge it: the first one stands), and answers the job as it now is, and whether this call judged it.
 */
export async function recordVerdict(
  db: Pick<Pool | PoolClient, 'query'>,
  job: JobRow,
  verdict: DropVerdict,
): Promise<{ job: JobRow; judged: boolean }> {
  const { rows } = await db.query<JobRow>(
    `UPDATE jobs
        SET retry_at = $2, quarantined_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END,
            error = CASE WHEN $3::text IS NULL THEN error ELSE error || ' Quarantined: ' || $3 || '.' END,
            updated_at = now()
      WHERE id = $1 AND state = 'failed' AND origin = 'drop' AND retry_at IS NULL AND quarantined_at IS NULL
      RETURNING *`,
    [job.id, 'retryAt' in verdict ? verdict.retryAt : null, 'quarantined' in verdict ? verdict.quarantined : null],
  )
  if (rows[0]) return { job: rows[0], judged: true }
  const { rows: now } = await db.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [job.id])
  return { job: now[0] ?? job, judged: false }
}

/** Why a scan leaves a dropped file alone. */
export type DropSkip = 'running' | 'applying' | 'completed' | 'cancelled' | 'quarantined' | 'waiting'

/** Why a scan leaves alone the file whose latest job (of any origin) is `job`. */
export const skipOf = (job: JobRow): DropSkip =>
  job.state === 'failed' ? (job.quarantined_at ? 'quarantined' : 'waiting') : job.state

/** What a scan does with a dropped file, from its latest attempt: start attempt n, or leave it to `job` (`judged`: by this step). */
export type DropStep = { start: number } | { job: JobRow; judged: boolean }

/**
 * The scan's step for a file whose latest attempt is `last` (none: its first attempt), once no
 * completed or live job of the file answered. A failed one without a verdict (the sweep failed it
 * when its process died) is judged here, from when it failed; a released one starts afresh.
 */
export async function dropStep(
  db: Pick<Pool | PoolClient, 'query'>,
  last: JobRow | undefined,
  policy: RetryPolicy,
  now: Date,
): Promise<DropStep> {
  if (!last || last.released_at) return { start: 1 }
  if (last.state !== 'failed') return { job: last, judged: false }
  const { job, judged } =
    last.retry_at || last.quarantined_at
      ? { job: last, judged: false }
      : await recordVerdict(db, last, verdictOf(last, policy, last.finished_at ?? now))
  if (job.quarantined_at || (job.retry_at && job.retry_at.getTime() > now.getTime())) return { job, judged }
  return { start: job.attempt + 1 }
}

/** The log line of a verdict: an error for a quarantine (an operator must act), a warning for a retry. */
export function logVerdict(log: Logger, job: JobRow): void {
  const fields = { job: job.id, tenant: job.tenant, uri: job.uri, attempt: job.attempt }
  if (job.quarantined_at) log.error({ ...fields, error: job.error }, 'dropped file quarantined')
  else if (job.retry_at) log.warn({ ...fields, retry_at: job.retry_at }, 'dropped file will be retried')
}
