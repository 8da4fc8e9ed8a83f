-- Up Migration
-- A job completes when the catalog applied its records, not when they reached Kafka: between the
-- two it is `applying`. The catalog's running totals per partition of ingestion.record.v1
-- (`ingest.applied` on catalog.ingest.v1) land in job_applied, the greatest seen of each; the job
-- row keeps their sums.
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (state IN ('running', 'applying', 'completed', 'failed', 'cancelled'));
ALTER TABLE jobs
  ADD COLUMN applied          bigint NOT NULL DEFAULT 0,
  ADD COLUMN catalog_rejected bigint NOT NULL DEFAULT 0;

-- An upload's Idempotency-Key still names the job while its records are being applied.
DROP INDEX jobs_idempotency_key;
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (tenant, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND state IN ('running', 'applying', 'completed');
-- The sweep of jobs the catalog stopped applying: by when their totals last moved.
CREATE INDEX jobs_applying ON jobs (updated_at) WHERE state = 'applying';

CREATE TABLE job_applied (
  job_id    uuid    NOT NULL,
  partition integer NOT NULL,
  applied   bigint  NOT NULL,
  rejected  bigint  NOT NULL,
  PRIMARY KEY (job_id, partition)
);

-- When totals of any job last arrived: an applying job fails for want of them only while none
-- arrive at all (the catalog's pipeline silent), not while the catalog works through a backlog.
CREATE TABLE applied_seen (
  one boolean     PRIMARY KEY DEFAULT true CHECK (one),
  at  timestamptz NOT NULL
);

-- Down Migration
DROP TABLE applied_seen;
DROP TABLE job_applied;
UPDATE jobs SET state = 'completed', finished_at = now() WHERE state = 'applying';
DROP INDEX jobs_applying;
DROP INDEX jobs_idempotency_key;
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (tenant, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND state IN ('running', 'completed');
ALTER TABLE jobs DROP COLUMN applied, DROP COLUMN catalog_rejected;
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (state IN ('running', 'completed', 'failed', 'cancelled'));
