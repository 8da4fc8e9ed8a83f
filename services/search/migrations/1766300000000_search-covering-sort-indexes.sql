-- Up Migration

-- A first page counts its matches up to SEARCH_EXACT_COUNT_UP_TO. With only a date window, a price
-- range or a currency, the sort's index finds them, and each of up to 10,001 was a heap fetch to
-- read the raw column and the currency: most of a date window's time at a million items. Holding
-- them in the sort indexes makes that count an index-only scan (the heap is read only for pages
-- the visibility map does not call all-visible yet). Small fixed-size columns: tags stay out, as
-- 50 tags of 64 characters would not fit a btree entry.
--
-- The new indexes are built before the old ones go: a build blocks writes (the indexer waits and
-- retries) but not searches, and the drops at the end hold the table only until the commit. The
-- runner applies a migration in a transaction, where CONCURRENTLY cannot run: on a large live
-- index an operator builds them first, each with
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS <name> <the definition below>;
-- and this migration then finds them and only drops the old ones.
CREATE INDEX IF NOT EXISTS search_items_newest_covering
  ON search_items (tenant, (coalesce(published_at, '-infinity')) DESC, id DESC)
  INCLUDE (published_at) WHERE NOT deleted;
CREATE INDEX IF NOT EXISTS search_items_price_asc_covering
  ON search_items (tenant, (coalesce(price_amount_minor, 9223372036854775807)), id)
  INCLUDE (price_amount_minor, price_currency) WHERE NOT deleted;
CREATE INDEX IF NOT EXISTS search_items_price_desc_covering
  ON search_items (tenant, (coalesce(price_amount_minor, -1)) DESC, id DESC)
  INCLUDE (price_amount_minor, price_currency) WHERE NOT deleted;
DROP INDEX search_items_newest;
DROP INDEX search_items_price_asc;
DROP INDEX search_items_price_desc;

-- Down Migration
CREATE INDEX search_items_price_desc ON search_items (tenant, (coalesce(price_amount_minor, -1)) DESC, id DESC) WHERE NOT deleted;
CREATE INDEX search_items_price_asc ON search_items (tenant, (coalesce(price_amount_minor, 9223372036854775807)), id) WHERE NOT deleted;
CREATE INDEX search_items_newest ON search_items (tenant, (coalesce(published_at, '-infinity')) DESC, id DESC) WHERE NOT deleted;
DROP INDEX search_items_price_desc_covering;
DROP INDEX search_items_price_asc_covering;
DROP INDEX search_items_newest_covering;
