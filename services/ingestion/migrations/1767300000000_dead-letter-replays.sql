-- Up Migration
-- A replay of dead letters is a job of its own (origin 'replay'). Each dead letter it re-drives is
-- claimed here by its CloudEvent id (a record set aside twice, its batch delivered again, is in
-- the DLQ twice under one id), so a record is re-driven once across replays and within one: a
-- later replay skips it unless the replay that claimed it failed or was cancelled.
ALTER TABLE jobs DROP CONSTRAINT jobs_origin_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_origin_check CHECK (origin IN ('request', 'upload', 'drop', 'replay'));

CREATE TABLE dlq_replays (
  -- The dead letter's ce_id (or, without one, its partition/offset).
  dlq_id     text        PRIMARY KEY,
  job_id     uuid        NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now()
);
-- The DLQ keeps 30 days: claims older than that name records that are gone.
CREATE INDEX dlq_replays_claimed ON dlq_replays (claimed_at);

-- Down Migration
DROP TABLE dlq_replays;
ALTER TABLE jobs DROP CONSTRAINT jobs_origin_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_origin_check CHECK (origin IN ('request', 'upload', 'drop'));
