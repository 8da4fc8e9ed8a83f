-- Up Migration
-- Items: the source of truth. The natural key (tenant, source, external_id) makes re-ingesting a
-- file idempotent; `version` grows by one on every change; deletes are soft.
CREATE TABLE items (
  id                 uuid PRIMARY KEY,
  tenant             text        NOT NULL,
  source             text        NOT NULL,
  external_id        text        NOT NULL,
  title              text        NOT NULL,
  description        text        NOT NULL DEFAULT '',
  tags               text[]      NOT NULL DEFAULT '{}',
  attributes         jsonb       NOT NULL DEFAULT '{}',
  price_amount_minor bigint,
  price_currency     text,
  published_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  version            bigint      NOT NULL DEFAULT 1,
  deleted_at         timestamptz,
  CONSTRAINT items_natural_key UNIQUE (tenant, source, external_id),
  CONSTRAINT items_price_whole CHECK ((price_amount_minor IS NULL) = (price_currency IS NULL)),
  CONSTRAINT items_price_not_negative CHECK (price_amount_minor >= 0),
  CONSTRAINT items_attributes_object CHECK (jsonb_typeof(attributes) = 'object')
);

-- Price history: append-only, one row per change of an item's price, keyed by the item version
-- that made the change (so a page walks the primary key backwards, newest first).
CREATE TABLE price_history (
  item_id      uuid        NOT NULL REFERENCES items (id),
  item_version bigint      NOT NULL,
  tenant       text        NOT NULL,
  amount_minor bigint,
  currency     text,
  changed_at   timestamptz NOT NULL,
  PRIMARY KEY (item_id, item_version)
);

-- The transactional outbox: every change writes its events here in the same transaction; the
-- relay publishes them to Kafka. `txid` lets the relay tell rows whose transaction is still open
-- apart from published ones, so a late commit with a lower id is never skipped.
CREATE TABLE outbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     uuid        NOT NULL,
  txid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
  topic        text        NOT NULL,
  key          text        NOT NULL,
  type         text        NOT NULL,
  tenant       text        NOT NULL,
  payload      bytea       NOT NULL,
  headers      jsonb       NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;

-- Down Migration
DROP TABLE outbox;
DROP TABLE price_history;
DROP TABLE items;
