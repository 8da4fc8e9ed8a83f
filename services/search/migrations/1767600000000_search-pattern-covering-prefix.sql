-- Up Migration

-- A pattern anchored at its start reads the prefix indexes' range of its literal prefix, and
-- checked each entry's value in the heap: at a million items, `^dor…` found 73,000 entries in its
-- range (a common word start), each a heap fetch, for 8 matches (p95 562 ms). These indexes hold
-- the value beside its key (INCLUDE), so the regular expression is checked on the index entry and
-- only matches are read from the heap (an index-only scan; 3 to 4 times faster at a million).
--
-- A btree entry holds at most about 2,700 bytes: the covering indexes take values up to a size
-- (a title of 1,000 bytes, its key a copy of it; a description of 1,800 bytes, its key the first
-- 100 characters), and the rare longer ones are in a partial index of their own, checked in the
-- heap as before.
--
-- The runner applies a migration in a transaction, where CONCURRENTLY cannot run: on a large live
-- table an operator builds the indexes first, each with
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS <name> <the definition below>;
-- and this migration then finds them and only drops the old ones. A concurrent build that fails
-- leaves an invalid index of that name, which IF NOT EXISTS would take: check that
--   SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid;
-- names none of them (drop and build again one that it names) before running the migration.
CREATE INDEX IF NOT EXISTS search_items_title_prefix_covering
  ON search_items (tenant, (title COLLATE "C")) INCLUDE (title, id)
  WHERE NOT deleted AND octet_length(title) <= 1000;
CREATE INDEX IF NOT EXISTS search_items_title_prefix_long
  ON search_items (tenant, (title COLLATE "C"))
  WHERE NOT deleted AND octet_length(title) > 1000;
CREATE INDEX IF NOT EXISTS search_items_description_prefix_covering
  ON search_items (tenant, (left(description, 100) COLLATE "C")) INCLUDE (description, id)
  WHERE NOT deleted AND octet_length(description) <= 1800;
CREATE INDEX IF NOT EXISTS search_items_description_prefix_long
  ON search_items (tenant, (left(description, 100) COLLATE "C"))
  WHERE NOT deleted AND octet_length(description) > 1800;
DROP INDEX search_items_title_prefix;
DROP INDEX search_items_description_prefix;

-- Down Migration
CREATE INDEX search_items_title_prefix ON search_items (tenant, (title COLLATE "C")) WHERE NOT deleted;
CREATE INDEX search_items_description_prefix ON search_items (tenant, (left(description, 100) COLLATE "C")) WHERE NOT deleted;
DROP INDEX search_items_description_prefix_long;
DROP INDEX search_items_description_prefix_covering;
DROP INDEX search_items_title_prefix_long;
DROP INDEX search_items_title_prefix_covering;
