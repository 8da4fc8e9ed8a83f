-- Up Migration

-- Hits carry the item's natural key and attributes, and searches filter on them. Rows indexed
-- before this release hold the defaults until their item changes or the catalog republishes it
-- (`catalog-cli republish`).
ALTER TABLE search_items
  ADD COLUMN source      text  NOT NULL DEFAULT '',
  ADD COLUMN external_id text  NOT NULL DEFAULT '',
  ADD COLUMN attributes  jsonb NOT NULL DEFAULT '{}';

CREATE INDEX search_items_source ON search_items (tenant, source) WHERE NOT deleted;
-- Attribute equality (`attributes @> '{"color": "red"}'`), with the tenant in the same index.
CREATE INDEX search_items_attributes ON search_items USING gin (tenant, attributes jsonb_path_ops) WHERE NOT deleted;

-- Down Migration
DROP INDEX search_items_attributes;
DROP INDEX search_items_source;
ALTER TABLE search_items DROP COLUMN attributes, DROP COLUMN external_id, DROP COLUMN source;
