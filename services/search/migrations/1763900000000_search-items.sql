-- Up Migration
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Words of any language, accents folded (café matches cafe), no stemming: one configuration for
-- the index, the queries and the highlighted snippets alike.
CREATE TEXT SEARCH CONFIGURATION catalog_text (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION catalog_text ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

-- One row per item of the catalog, as of its latest applied version. A deleted item stays as a
-- tombstone (deleted = true, its version kept) so an older event arriving late cannot revive it.
CREATE TABLE search_items (
  id                 uuid PRIMARY KEY,
  tenant             text        NOT NULL,
  version            bigint      NOT NULL,
  deleted            boolean     NOT NULL DEFAULT false,
  title              text        NOT NULL DEFAULT '',
  description        text        NOT NULL DEFAULT '',
  tags               text[]      NOT NULL DEFAULT '{}',
  price_amount_minor bigint,
  price_currency     text,
  published_at       timestamptz,
  indexed_at         timestamptz NOT NULL DEFAULT now(),
  document           tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('catalog_text', title), 'A') ||
    setweight(to_tsvector('catalog_text', description), 'B')
  ) STORED
);

CREATE INDEX search_items_document ON search_items USING gin (tenant, document) WHERE NOT deleted;
-- Substring and regex filters look at title and description separately (so ^ and $ mean what a
-- person expects); a trigram index on each lets the planner combine them.
CREATE INDEX search_items_title_trgm ON search_items USING gin (tenant, title gin_trgm_ops) WHERE NOT deleted;
CREATE INDEX search_items_description_trgm ON search_items USING gin (tenant, description gin_trgm_ops) WHERE NOT deleted;
CREATE INDEX search_items_tags ON search_items USING gin (tenant, tags) WHERE NOT deleted;
CREATE INDEX search_items_newest ON search_items (tenant, (coalesce(published_at, '-infinity')) DESC, id DESC) WHERE NOT deleted;
CREATE INDEX search_items_price ON search_items (tenant, price_amount_minor, id) WHERE NOT deleted;

-- Down Migration
DROP TABLE search_items;
DROP TEXT SEARCH CONFIGURATION catalog_text;
