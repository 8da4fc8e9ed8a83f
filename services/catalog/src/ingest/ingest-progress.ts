import type { BatchOrigin, PoolClient, Producer } from '@catalog/kit'
import { cloudEventHeaders, deadLetterId } from '@catalog/kit'
import { events } from '@catalog/proto'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * What became of one record of an ingestion job: applied, or refused (on its way to the DLQ).
 * Counted only for a record whose tenant the catalog trusts (record-tenant.ts) and which names a
 * job id ingestion could have made: the totals of a job are the tenant's, and what they count was
 * written by ingestion.
 */
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
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS m(job_id uuid, tenant text, o bigint, applied boolean)
), known AS (
  SELECT job_id, tenant, through_offset FROM ingest_progress
   WHERE partition = $1 AND (job_id, tenant) IN (SELECT job_id, tenant FROM m)
), fresh AS (
  SELECT m.job_id, m.tenant, count(*) FILTER (WHERE m.applied) AS applied,
         count(*) FILTER (WHERE NOT m.applied) AS rejected, max(m.o) AS through_offset
    FROM m LEFT JOIN known k USING (job_id, tenant)
   WHERE m.o > coalesce(k.through_offset, -1)
   GROUP BY m.job_id, m.tenant
)
INSERT INTO ingest_progress AS p (job_id, partition, tenant, applied, rejected, through_offset)
SELECT job_id, $1, tenant, applied, rejected, through_offset FROM fresh
ON CONFLICT (job_id, tenant, partition) DO UPDATE
   SET applied = p.applied + excluded.applied, rejected = p.rejected + excluded.rejected,
       through_offset = excluded.through_offset, updated_at = now()`

const READ = `SELECT job_id, tenant, applied, rejected, through_offset
  FROM ingest_progress WHERE partition = $1 AND job_id = ANY($2::uuid[])`

const jobsOf = (outcomes: readonly RecordOutcome[]) => [...new Set(outcomes.map((o) => o.jobId))]

/**
 * Adds a batch's outcomes to its jobs' totals on its partition, in the caller's transaction (the
 * one that applies the batch), and answers the totals after it. Outcomes naming no job id
 * ingestion could have made (a record written by something else) are not counted.
 */
export async function countOutcomes(
  c: Pick<PoolClient, 'query'>,
  from: BatchOrigin,
  outcomes: readonly RecordOutcome[],
): Promise<ProgressRow[]> {
  const counted = outcomes.filter((o) => UUID.test(o.jobId))
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
export async function sendProgress(
  producer: Producer,
  from: BatchOrigin,
  rows: readonly ProgressRow[],
  group: string,
): Promise<void> {
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
        group,
      }),
      headers: cloudEventHeaders({
        id: deadLetterId(`${events.TYPES.ingestApplied}/${r.job_id}/${r.tenant}`, { ...from, offset: r.through_offset }),
        type: events.TYPES.ingestApplied,
        source: '/catalog',
        time: new Date(),
      }),
    })),
  })
}
