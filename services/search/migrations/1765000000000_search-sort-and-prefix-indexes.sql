-- Up Migration

-- A price sort walks an index in its own order and stops at the page: the index holds the sort's
-- expression (items without a price last either way), so no match set is sorted whole. Price
-- filters are written on the same expressions, so a bounded price range is a range scan too.
DROP INDEX search_items_price;
CREATE INDEX search_items_price_asc ON search_items (tenant, (coalesce(price_amount_minor, 9223372036854775807)), id) WHERE NOT deleted;
CREATE INDEX search_items_price_desc ON search_items (tenant, (coalesce(price_amount_minor, -1)) DESC, id DESC) WHERE NOT deleted;

-- A pattern anchored at the start (`^brass lamp`) matches only values that begin with its
-- literal prefix: a byte-ordered index turns that prefix into a range (`^@`), far narrower than
-- the trigrams of the same letters, which occur anywhere in any word. The description's first
-- 100 characters are enough for any prefix the service uses.
CREATE INDEX search_items_title_prefix ON search_items (tenant, (title COLLATE "C")) WHERE NOT deleted;
CREATE INDEX search_items_description_prefix ON search_items (tenant, (left(description, 100) COLLATE "C")) WHERE NOT deleted;

-- Down Migration
DROP INDEX search_items_description_prefix;
DROP INDEX search_items_title_prefix;
DROP INDEX search_items_price_desc;
DROP INDEX search_items_price_asc;
CREATE INDEX search_items_price ON search_items (tenant, price_amount_minor, id) WHERE NOT deleted;
