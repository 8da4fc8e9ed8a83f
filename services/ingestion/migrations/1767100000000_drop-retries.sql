-- Up Migration
-- A dropped file is retried when its job fails on a transient cause (the source or the broker
-- away, a crash), with a growing wait between attempts, and quarantined when it fails on a
-- permanent one (unreadable input, too many bad records) or on its last attempt: a quarantined
-- file is started again by no scan until an operator releases it. Each attempt is a job of its
-- own; the failed job carries the verdict.
ALTER TABLE jobs
  ADD COLUMN origin         text        NOT NULL DEFAULT 'request' CHECK (origin IN ('request', 'upload', 'drop')),
  ADD COLUMN attempt        integer     NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  -- A failed drop's next attempt is not started before this.
  ADD COLUMN retry_at       timestamptz,
  -- A failed drop that no scan starts again; `error` says why.
  ADD COLUMN quarantined_at timestamptz,
  -- When an operator started the file again (POST /v1/ingestions/{id}/retry).
  ADD COLUMN released_at    timestamptz;

-- Uploads before this release: an upload is not kept, so it cannot be started again.
UPDATE jobs SET origin = 'upload' WHERE uri LIKE 'upload:%';

-- The quarantined attempts not yet released: the gauge and a retry's release read them.
CREATE INDEX jobs_quarantined ON jobs (tenant, uri) WHERE quarantined_at IS NOT NULL AND released_at IS NULL;

-- Each drop scan's outcome, whichever process ran it: the CronJob exits, its result stays here for
-- the gauges every replica exports (a failed scan, no successful scan for too long). Kept 30 days.
CREATE TABLE drop_scans (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uri         text        NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  ok          boolean     NOT NULL,
  counts      jsonb       NOT NULL
);
CREATE INDEX drop_scans_latest ON drop_scans (uri, finished_at DESC);

-- Down Migration
DROP TABLE drop_scans;
DROP INDEX jobs_quarantined;
ALTER TABLE jobs DROP COLUMN released_at, DROP COLUMN quarantined_at, DROP COLUMN retry_at, DROP COLUMN attempt, DROP COLUMN origin;
