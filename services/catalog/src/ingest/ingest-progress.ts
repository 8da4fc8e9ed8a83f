import type { BatchOrigin, PoolClient, Producer } from '@catalog/kit'
import { cloudEventHeaders, deadLetterId } from '@catalog/kit'
import { events } from '@catalog/proto'

/** What became of one record of an ingestion job: applied, or refused (on its way to the DLQ). */
export interface RecordOutcome {
  jobId: string
  tenant: string
  offset: string
  applied: boolean
}

/** A job's running totals on one partition, as ingest_progress holds them. */
interface ProgressRow {
  job_id: string
  tenant: string
  applied: string
  rejected: string
  through_offset: string
}

// Batches of one partition count one at a time: a member that lost the partition in a rebalance
// and a member that gained it may apply the same batch at once, and each would otherwise add it.
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('catalog.ingest_progress'), $1::int)`

// Only records past the partition's last counted offset add to a job's totals: a batch delivered
// again adds nothing. Totals not moved for a week (ingestion.record.v1 keeps three days) go with it.
const COUNT = `WITH pruned AS (
  DELETE FROM ingest_progress WHERE partition = $1 AND updated_at < now() - interval '7 days'
), m AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS m(job_id text, tenant text, o bigint, applied boolean)
), known AS (
  SELECT job_id, through_offset FROM ingest_progress WHERE partition = $1 AND job_id IN (SELECT job_id FROM m)
), fresh AS (
  SELECT m.job_id, min(m.tenant) AS tenant, count(*) FILTER (WHERE m.applied) AS applied,
         count(*) FILTER (WHERE NOT m.applied) AS rejected, max(m.o) AS through_offset
    FROM m LEFT JOIN known k USING (job_id)
   WHERE m.o > coalesce(k.through_offset, -1)
   GROUP BY m.job_id
)
INSERT INTO ingest_progress AS p (job_id, partition, tenant, applied, rejected, through_offset)
SELECT job_id, $1, tenant, applied, rejected, through_offset FROM fresh
ON CONFLICT (job_id, partition) DO UPDATE
   SET applied = p.applied + excluded.applied, rejected = p.rejected + excluded.rejected,
       through_offset = excluded.through_offset, updated_at = now()`

const READ = `SELECT job_id, tenant, applied, rejected, through_offset
  FROM ingest_progress WHERE partition = $1 AND job_id = ANY($2::text[])`

const jobsOf = (outcomes: readonly RecordOutcome[]) => [...new Set(outcomes.map((o) => o.jobId))]

/**
 * Adds a batch's outcomes to its jobs' totals on its partition, in the caller's transaction (the
 * one that applies the batch), and answers the totals after it. Records of no job (written by
 * something else than ingestion) are not counted.
 */
export async function countOutcomes(
  c: Pick<PoolClient, 'query'>,
  from: BatchOrigin,
  outcomes: readonly RecordOutcome[],
): Promise<ProgressRow[]> {
  const counted = outcomes.filter((o) => o.jobId !== '')
  if (counted.length === 0) return []
  await c.query(LOCK, [from.partition])
  const rows = counted.map((o) => ({ job_id: o.jobId, tenant: o.tenant, o: o.offset, applied: o.applied }))
  await c.query(COUNT, [from.partition, JSON.stringify(rows)])
  return (await c.query<ProgressRow>(READ, [from.partition, jobsOf(counted)])).rows
}

/**
 * Sends the totals as `ingest.applied` events on catalog.ingest.v1, after the transaction
 * committed. Each event's id is derived from the job, the partition and the offset it counts
 * through: the same totals sent again (the batch retried after a failed send) are the same event.
 */
export async function sendProgress(producer: Producer, from: BatchOrigin, rows: readonly ProgressRow[]): Promise<void> {
  if (rows.length === 0) return
  await producer.send({
    topic: events.TOPICS.ingest,
    acks: -1,
    messages: rows.map((r) => ({
      key: r.job_id,
      value: events.ingestApplied.encode({
        tenant: r.tenant,
        job_id: r.job_id,
        partition: from.partition,
        applied: r.applied,
        rejected: r.rejected,
        through_offset: r.through_offset,
      }),
      headers: cloudEventHeaders({
        id: deadLetterId(`${events.TYPES.ingestApplied}/${r.job_id}`, { ...from, offset: r.through_offset }),
        type: events.TYPES.ingestApplied,
        source: '/catalog',
        time: new Date(),
      }),
    })),
  })
}
