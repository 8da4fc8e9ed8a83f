import type { Logger, Pool } from '@catalog/kit'
import { codes } from '../errors.ts'
import type { DropOutcome } from './daily-drops.ts'

/*
 * Incremental listings of a drop folder. A daily folder only grows (dated names, new keys), so a
 * scan lists only what comes after the last file the previous scan listed and took its step for
 * (S3 StartAfter): one request per 1,000 new keys, not per 1,000 keys the folder ever held. What a
 * cursor cannot see is found elsewhere: a failed file due for another attempt from its jobs (it
 * sits before the cursor), a file rewritten under a name listed before by the object store's
 * event (drop-events.ts) or by the whole listing every DROP_FULL_LISTING_MS. The cursor stops
 * before the first file the scan could not take its step for (the tenant at its limit of running
 * jobs, the database away), so a file held back is listed again.
 */

export interface Listing {
  /** List only what comes after this URI in the source's order; unset: everything. */
  after: string | undefined
  /** Whether this scan lists the whole folder (and records that it did). */
  full: boolean
}

/** Where the scan of `uri` resumes its listing, and whether it is due to list it whole. */
export async function listingOf(pool: Pool, uri: string, fullEveryMs: number): Promise<Listing> {
  const { rows } = await pool.query<{ after_uri: string | null; due: boolean }>(
    `SELECT after_uri, full_at IS NULL OR full_at <= now() - $2 * interval '1 millisecond' AS due
       FROM drop_listings WHERE uri = $1`,
    [uri, fullEveryMs],
  )
  const row = rows[0]
  if (!row || row.due || fullEveryMs === 0) return { after: undefined, full: true }
  return { after: row.after_uri ?? undefined, full: false }
}

/**
 * Records where the next scan of `uri` resumes: after `through` (unset: where this one began, or
 * from the start after a whole listing whose first file was held back). Two scans at once may
 * save in either order: the earlier cursor only lists more again, never less.
 */
export async function saveListing(pool: Pool, uri: string, listing: Listing, through: string | undefined): Promise<void> {
  const after = through ?? (listing.full ? null : (listing.after ?? null))
  await pool.query(
    `INSERT INTO drop_listings AS l (uri, after_uri, full_at) VALUES ($1, $2, CASE WHEN $3 THEN now() END)
     ON CONFLICT (uri) DO UPDATE SET after_uri = excluded.after_uri,
       full_at = coalesce(excluded.full_at, l.full_at), updated_at = now()`,
    [uri, after, listing.full],
  )
}

/**
 * The dropped files under `prefix` whose latest attempt failed and is due for the next one (its
 * backoff passed, or it has no verdict yet: the sweep failed it), not quarantined or released, and
 * not ingested since by a request: a scan starts them though its listing no longer reaches them.
 */
export async function dueAgain(pool: Pool, tenant: string, prefix: string): Promise<string[]> {
  const { rows } = await pool.query<{ uri: string }>(
    `SELECT j.uri FROM jobs j
      WHERE j.tenant = $1 AND j.origin = 'drop' AND starts_with(j.uri, $2) AND j.state = 'failed'
        AND j.quarantined_at IS NULL AND j.released_at IS NULL AND (j.retry_at IS NULL OR j.retry_at <= now())
        AND NOT EXISTS (SELECT 1 FROM jobs l
                         WHERE l.tenant = j.tenant AND l.uri = j.uri AND l.created_at > j.created_at
                           AND (l.origin = 'drop' OR l.state IN ('running', 'applying', 'completed')))
      ORDER BY j.uri`,
    [tenant, prefix],
  )
  return rows.map((r) => r.uri)
}

/** A failed file that is gone from the folder: released, so no scan looks for it again (it starts afresh if it comes back). */
async function releaseGone(pool: Pool, tenant: string, uri: string): Promise<void> {
  await pool.query(
    `UPDATE jobs SET released_at = now(), updated_at = now()
      WHERE tenant = $1 AND uri = $2 AND origin = 'drop' AND state = 'failed' AND released_at IS NULL`,
    [tenant, uri],
  )
}

export type StartDrop = (uri: string) => Promise<{ step: DropOutcome; held?: boolean }>

/**
 * One scan's list and start, for scanDrops: the listing from the cursor plus the files due again,
 * and a start that remembers which listed files it could not take its step for. `finish` saves
 * the cursor past the listed files up to the first of those.
 */
export function incrementalScan(
  deps: { pool: Pool; log: Logger },
  what: { uri: string; tenant: string; fullEveryMs: number },
  list: (after: string | undefined) => Promise<string[]>,
  start: StartDrop,
) {
  let listing: Listing = { after: undefined, full: true }
  let listed: string[] = []
  let due = new Set<string>()
  const unhandled = new Set<string>()
  return {
    async list(): Promise<string[]> {
      listing = await listingOf(deps.pool, what.uri, what.fullEveryMs)
      listed = await list(listing.after)
      const seen = new Set(listed)
      due = new Set((await dueAgain(deps.pool, what.tenant, what.uri)).filter((uri) => !seen.has(uri)))
      return [...listed, ...due]
    },
    async start(uri: string): Promise<{ step: DropOutcome }> {
      try {
        const step = await start(uri)
        if (step.held) unhandled.add(uri)
        return step
      } catch (err) {
        if (due.has(uri) && (err as { code?: string }).code === codes.sourceNotFound) {
          await releaseGone(deps.pool, what.tenant, uri)
          deps.log.info({ uri }, 'a failed dropped file is gone from the folder: released, not retried')
          return { step: 'gone' }
        }
        // A key the sources always refuse fails every scan the same way: it must not hold the cursor for ever.
        const code = (err as { code?: string }).code
        if (code !== codes.invalid && code !== codes.sourceForbidden) unhandled.add(uri)
        throw err
      }
    },
    /** Saves where the next scan resumes; a failure to save is logged (the next scan lists more again). */
    async finish(): Promise<void> {
      let through: string | undefined
      for (const uri of listed) {
        if (unhandled.has(uri)) break
        through = uri
      }
      await saveListing(deps.pool, what.uri, listing, through).catch((err: unknown) =>
        deps.log.warn({ err, uri: what.uri }, 'could not save where the drop scan resumes'),
      )
    },
  }
}
