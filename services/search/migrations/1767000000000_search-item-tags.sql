-- Up Migration

-- A tag is the common way to browse a catalog ("kitchen, cheapest first"), and a common tag holds a
-- seventh of a large tenant. The GIN index on search_items.tags finds its items as a set, in no
-- order: a first page sorted by price or date read every match from the heap (about 10,000 of a
-- million items for one tag, a price range and a currency: p95 593 ms), and the tags cannot join
-- a sort's btree (50 tags of 64 characters do not fit one entry). Here each live item has one row
-- per tag, holding the columns the sorts and the cheap filters read: a tag's page is a range of a
-- btree walked in the sort's order, and its count an index-only scan.
--
-- The rows are written by statement triggers on search_items, from the rows each statement
-- changed (transition tables): one set-based write per indexer batch, COPY and bulk inserts
-- included, in the same transaction as the item's own row, so the two never disagree.
CREATE TABLE search_item_tags (
  id                 uuid NOT NULL,
  tag                text NOT NULL,
  tenant             text NOT NULL,
  price_amount_minor bigint,
  price_currency     text,
  published_at       timestamptz,
  PRIMARY KEY (id, tag)
);

CREATE FUNCTION search_item_tags_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_item_tags (id, tag, tenant, price_amount_minor, price_currency, published_at)
  SELECT DISTINCT n.id, t.tag, n.tenant, n.price_amount_minor, n.price_currency, n.published_at
    FROM new_rows n, unnest(n.tags) AS t(tag)
   WHERE NOT n.deleted;
  RETURN NULL;
END $$;

-- Only items whose tags, price, date or liveness changed are rewritten: a title fix touches no row here.
CREATE FUNCTION search_item_tags_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_item_tags x
   USING new_rows n JOIN old_rows o ON o.id = n.id
   WHERE x.id = n.id
     AND (o.tags, o.price_amount_minor, o.price_currency, o.published_at, o.deleted)
         IS DISTINCT FROM (n.tags, n.price_amount_minor, n.price_currency, n.published_at, n.deleted);
  INSERT INTO search_item_tags (id, tag, tenant, price_amount_minor, price_currency, published_at)
  SELECT DISTINCT n.id, t.tag, n.tenant, n.price_amount_minor, n.price_currency, n.published_at
    FROM new_rows n JOIN old_rows o ON o.id = n.id, unnest(n.tags) AS t(tag)
   WHERE NOT n.deleted
     AND (o.tags, o.price_amount_minor, o.price_currency, o.published_at, o.deleted)
         IS DISTINCT FROM (n.tags, n.price_amount_minor, n.price_currency, n.published_at, n.deleted);
  RETURN NULL;
END $$;

CREATE FUNCTION search_item_tags_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_item_tags x USING old_rows o WHERE x.id = o.id;
  RETURN NULL;
END $$;

CREATE TRIGGER search_item_tags_inserted AFTER INSERT ON search_items
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_item_tags_inserted();
CREATE TRIGGER search_item_tags_updated AFTER UPDATE ON search_items
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_item_tags_updated();
CREATE TRIGGER search_item_tags_deleted AFTER DELETE ON search_items
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_item_tags_deleted();

-- The items indexed before this release.
INSERT INTO search_item_tags (id, tag, tenant, price_amount_minor, price_currency, published_at)
SELECT DISTINCT s.id, t.tag, s.tenant, s.price_amount_minor, s.price_currency, s.published_at
  FROM search_items s, unnest(s.tags) AS t(tag)
 WHERE NOT s.deleted;

-- Built after the backfill, in one pass each, rather than entry by entry during it.
-- A tag in a currency, in price order either way (a price in a currency is never missing, so the
-- ascending index walked backwards is the descending order); a price range is a range of it.
CREATE INDEX search_item_tags_price ON search_item_tags
  (tenant, tag, price_currency, (coalesce(price_amount_minor, 9223372036854775807)), id)
  INCLUDE (price_amount_minor, published_at);
-- A tag newest first; a date window is a range of it. Each index also holds the raw columns the
-- filters name (the planner reads an index alone only where it holds every column a query names,
-- not just the expressions of them), so any filter of a tag's search is checked from its entries.
CREATE INDEX search_item_tags_newest ON search_item_tags
  (tenant, tag, (coalesce(published_at, '-infinity')) DESC, id DESC)
  INCLUDE (published_at, price_amount_minor, price_currency);

-- A TRUNCATE of the items (a rebuild from the catalog) empties the tag rows with them.
CREATE FUNCTION search_item_tags_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE search_item_tags;
  RETURN NULL;
END $$;
CREATE TRIGGER search_item_tags_truncated AFTER TRUNCATE ON search_items
  FOR EACH STATEMENT EXECUTE FUNCTION search_item_tags_truncated();

-- A price is an amount and a currency, or neither: the tag rows' price order in a currency rests
-- on it (walked backwards, the ascending order is the descending one only if no priced row in a
-- currency lacks its amount), as the indexer has always written them.
ALTER TABLE search_items ADD CONSTRAINT search_items_price_whole
  CHECK ((price_currency IS NULL) = (price_amount_minor IS NULL)) NOT VALID;
ALTER TABLE search_items VALIDATE CONSTRAINT search_items_price_whole;

-- Down Migration
ALTER TABLE search_items DROP CONSTRAINT search_items_price_whole;
DROP TRIGGER search_item_tags_truncated ON search_items;
DROP FUNCTION search_item_tags_truncated();
DROP TRIGGER search_item_tags_deleted ON search_items;
DROP TRIGGER search_item_tags_updated ON search_items;
DROP TRIGGER search_item_tags_inserted ON search_items;
DROP FUNCTION search_item_tags_deleted();
DROP FUNCTION search_item_tags_updated();
DROP FUNCTION search_item_tags_inserted();
DROP TABLE search_item_tags;
