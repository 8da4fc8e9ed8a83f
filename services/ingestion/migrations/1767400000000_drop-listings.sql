-- Up Migration
-- Where each drop folder's scans resume their listing: the last URI a scan listed and took its step
-- for (every one before it too), so the next lists only what comes after it (S3 StartAfter), and
-- when the folder was last listed whole (DROP_FULL_LISTING_MS). Failed files due for another
-- attempt are found from the jobs, not the listing.
CREATE TABLE drop_listings (
  uri        text        PRIMARY KEY,
  after_uri  text,
  full_at    timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The jobs of each URI newest first, for the scan's look-up of dropped files due again.
CREATE INDEX jobs_uri_latest ON jobs (tenant, uri, created_at DESC);

-- Down Migration
DROP INDEX jobs_uri_latest;
DROP TABLE drop_listings;
