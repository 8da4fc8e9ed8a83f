-- Up Migration
-- Price history partitioned by month of changed_at (UTC), so a window reads only its months and
-- retention drops whole months (services/catalog/src/prices/price-partitions.ts makes the months
-- ahead and drops the ones past PRICE_HISTORY_RETENTION_DAYS). Each row keeps the price before it
-- (old_amount_minor, old_currency: what the write replaced, null for an item's first price), so
-- the change feed no longer looks up an item's previous row, a probe of every partition.
-- Rows written before are copied with the price before each from their item's previous version.
-- The primary key holds changed_at, as a partitioned table's unique keys must: one version of an
-- item has one price row all the same (one write makes it).
ALTER TABLE price_history RENAME TO price_history_unpartitioned;
ALTER INDEX price_history_pkey RENAME TO price_history_unpartitioned_pkey;
ALTER INDEX price_history_item_time RENAME TO price_history_unpartitioned_item_time;
ALTER INDEX price_history_tenant_time RENAME TO price_history_unpartitioned_tenant_time;

CREATE TABLE price_history (
  item_id          uuid        NOT NULL REFERENCES items (id),
  item_version     bigint      NOT NULL,
  tenant           text        NOT NULL,
  amount_minor     bigint,
  currency         text,
  changed_at       timestamptz NOT NULL,
  old_amount_minor bigint,
  old_currency     text,
  PRIMARY KEY (item_id, item_version, changed_at)
) PARTITION BY RANGE (changed_at);
-- An item's changes by time (ranges, summaries); a tenant's by time (the feed), as before.
CREATE INDEX price_history_item_time ON price_history (item_id, changed_at, item_version);
CREATE INDEX price_history_tenant_time ON price_history (tenant, changed_at, item_id, item_version);

-- One partition per month from the oldest change to three months ahead.
DO $$
DECLARE
  month timestamptz := date_trunc('month', coalesce((SELECT min(changed_at) FROM price_history_unpartitioned), now()) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  last  timestamptz := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '3 months';
BEGIN
  WHILE month <= last LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF price_history FOR VALUES FROM (%L) TO (%L)',
      'price_history_' || to_char(month AT TIME ZONE 'UTC', 'YYYY_MM'), month, month + interval '1 month');
    month := month + interval '1 month';
  END LOOP;
END $$;

INSERT INTO price_history (item_id, item_version, tenant, amount_minor, currency, changed_at, old_amount_minor, old_currency)
SELECT item_id, item_version, tenant, amount_minor, currency, changed_at,
       lag(amount_minor) OVER w, lag(currency) OVER w
  FROM price_history_unpartitioned
WINDOW w AS (PARTITION BY item_id ORDER BY item_version);
DROP TABLE price_history_unpartitioned;

-- Down Migration
CREATE TABLE price_history_unpartitioned (
  item_id      uuid        NOT NULL REFERENCES items (id),
  item_version bigint      NOT NULL,
  tenant       text        NOT NULL,
  amount_minor bigint,
  currency     text,
  changed_at   timestamptz NOT NULL,
  PRIMARY KEY (item_id, item_version)
);
INSERT INTO price_history_unpartitioned SELECT item_id, item_version, tenant, amount_minor, currency, changed_at FROM price_history;
DROP TABLE price_history;
ALTER TABLE price_history_unpartitioned RENAME TO price_history;
ALTER INDEX price_history_unpartitioned_pkey RENAME TO price_history_pkey;
CREATE INDEX price_history_item_time ON price_history (item_id, changed_at, item_version);
CREATE INDEX price_history_tenant_time ON price_history (tenant, changed_at, item_id, item_version);
