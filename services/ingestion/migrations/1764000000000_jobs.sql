-- Up Migration
-- One row per ingestion job. A file (tenant, uri, content_key) is ingested once: a completed or
-- live job of the same file answers a new start as a duplicate. An upload's Idempotency-Key
-- names at most one job that is not failed or cancelled.
CREATE TABLE jobs (
  id               uuid        PRIMARY KEY,
  tenant           text        NOT NULL,
  uri              text        NOT NULL,
  format           text        NOT NULL,
  content_key      text,
  idempotency_key  text,
  default_source   text        NOT NULL,
  state            text        NOT NULL DEFAULT 'running'
                   CHECK (state IN ('running', 'completed', 'failed', 'cancelled')),
  total            bigint      NOT NULL DEFAULT 0,
  processed        bigint      NOT NULL DEFAULT 0,
  accepted         bigint      NOT NULL DEFAULT 0,
  rejected         bigint      NOT NULL DEFAULT 0,
  bytes_read       bigint      NOT NULL DEFAULT 0,
  bytes_total      bigint,
  errors           jsonb       NOT NULL DEFAULT '[]',
  error            text        NOT NULL DEFAULT '',
  cancel_requested boolean     NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  heartbeat_at     timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);

-- Ids are UUIDv7, ordered by creation: the keyset of the list is the id alone.
CREATE INDEX jobs_tenant_keyset ON jobs (tenant, id DESC);
CREATE INDEX jobs_file ON jobs (tenant, uri, content_key) WHERE content_key IS NOT NULL;
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (tenant, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND state IN ('running', 'completed');
CREATE INDEX jobs_running ON jobs (heartbeat_at) WHERE state = 'running';

-- Down Migration
DROP TABLE jobs;
