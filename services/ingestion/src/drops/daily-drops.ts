import type { Logger, Pool } from '@catalog/kit'
import { childTraceparent, withTraceparent } from '@catalog/kit'
import { Cron } from 'croner'
import type { DropSkip } from './drop-retries.ts'

/** What a scan did with a file: started it, left it alone (why), or found it gone (a failed file due again, deleted since). */
export type DropOutcome = 'started' | 'gone' | DropSkip

export type DropCounts = Record<'failed' | DropOutcome, number>

/**
 * Daily drops: on a cron schedule, lists the files under a folder or bucket prefix and takes each
 * a step (drop-retries.ts): a new file (URI and content) is started, a failed one is started again
 * once its backoff passed, and one that is done, running, cancelled, quarantined or waiting is left
 * alone, so each drop is ingested once whatever the number of scans or replicas.
 */
export async function scanDrops(
  deps: {
    list: (prefix: string) => Promise<string[]>
    start: (uri: string) => Promise<{ step: DropOutcome }>
    log: Logger
  },
  prefix: string,
): Promise<DropCounts> {
  const counts: DropCounts = {
    started: 0,
    failed: 0,
    gone: 0,
    running: 0,
    applying: 0,
    completed: 0,
    cancelled: 0,
    quarantined: 0,
    waiting: 0,
  }
  for (const uri of await deps.list(prefix)) {
    try {
      counts[(await deps.start(uri)).step]++
    } catch (err) {
      counts.failed++
      deps.log.warn({ err, uri }, 'could not start a dropped file')
    }
  }
  deps.log.info({ prefix, ...counts }, 'drop scan done')
  return counts
}

export function scheduleDrops(cron: string, scan: () => Promise<unknown>, log: Logger): { stop(): void } {
  const job = new Cron(cron, { protect: true, catch: (err) => log.error({ err }, 'drop scan failed') }, async () => {
    // Each scan starts a trace of its own: the jobs it starts and their records carry it.
    await withTraceparent(childTraceparent(), scan)
  })
  return { stop: () => job.stop() }
}

/**
 * Records a scan's outcome (a failed scan: a file it could not start or that waits for its next
 * attempt, or, for the CronJob, a job that did not complete) for the gauges, and forgets those past
 * 30 days but each folder's last success.
 */
export async function recordScan(
  pool: Pool,
  scan: { uri: string; startedAt: Date; ok: boolean; counts: Record<string, unknown> },
): Promise<void> {
  await pool.query(
    `WITH pruned AS (
       DELETE FROM drop_scans d WHERE finished_at < now() - interval '30 days'
          AND id IS DISTINCT FROM (SELECT id FROM drop_scans s WHERE s.uri = d.uri AND s.ok ORDER BY finished_at DESC LIMIT 1))
     INSERT INTO drop_scans (uri, started_at, ok, counts) VALUES ($1, $2, $3, $4)`,
    [scan.uri, scan.startedAt, scan.ok, JSON.stringify(scan.counts)],
  )
}

/**
 * Runs a scan and records its outcome, `ok` judging its counts (a scan that threw, its listing
 * failing, say, failed). A scan that cannot be recorded is logged, never thrown: it did run.
 */
export async function recordedScan(
  deps: { pool: Pool; log: Logger },
  uri: string,
  scan: () => Promise<DropCounts>,
  ok: (counts: DropCounts) => boolean | Promise<boolean>,
): Promise<DropCounts> {
  const startedAt = new Date()
  const record = (passed: boolean, counts: Record<string, unknown>) =>
    recordScan(deps.pool, { uri, startedAt, ok: passed, counts }).catch((err: unknown) =>
      deps.log.warn({ err, uri }, 'could not record a drop scan'),
    )
  try {
    const counts = await scan()
    await record(await ok(counts), counts)
    return counts
  } catch (err) {
    await record(false, { error: String((err as Error).message ?? err).slice(0, 500) })
    throw err
  }
}
