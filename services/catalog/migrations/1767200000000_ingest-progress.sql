-- Up Migration
-- What the catalog has done with each ingestion job's records, per partition of
-- ingestion.record.v1 it read them from: running totals, written in the transaction that applies
-- the batch. A batch delivered again (a crash before its offsets committed, a rebalance) counts
-- only its records past through_offset, so each record is counted once. The rows are the source of
-- the `ingest.applied` events on catalog.ingest.v1 that tell ingestion when a job's data is in.
CREATE TABLE ingest_progress (
  -- Ingestion's job id; only records whose tenant the catalog trusts count (ingest-progress.ts).
  job_id          uuid        NOT NULL,
  partition       integer     NOT NULL,
  tenant          text        NOT NULL,
  applied         bigint      NOT NULL DEFAULT 0,
  rejected        bigint      NOT NULL DEFAULT 0,
  through_offset  bigint      NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- With the tenant: a record naming another tenant's job never adds to that tenant's totals.
  PRIMARY KEY (job_id, tenant, partition)
);
-- Rows whose totals have not moved for a week go as the partition's next batch is counted (ingest-progress.ts).
CREATE INDEX ingest_progress_updated ON ingest_progress (updated_at);

-- Down Migration
DROP TABLE IF EXISTS ingest_progress;
