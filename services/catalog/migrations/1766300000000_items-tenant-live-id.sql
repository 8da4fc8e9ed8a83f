-- Up Migration
-- RepublishItems pages through a tenant's live items in id order, `tenant = $1 AND id > $2 ORDER BY
-- id`: without this index each page walked the primary key from $2 and read past every other
-- tenant's items, or read the tenant's whole natural-key range and sorted it. With it, a page is
-- one range scan of its own rows.
--
-- The runner applies each migration in a transaction, where CREATE INDEX CONCURRENTLY cannot run:
-- this build blocks writes to items while it lasts (seconds at a million items). On a large live
-- catalog, an operator builds it first with
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS items_tenant_live_id ON items (tenant, id) WHERE deleted_at IS NULL;
-- and this migration then finds it and does nothing.
CREATE INDEX IF NOT EXISTS items_tenant_live_id ON items (tenant, id) WHERE deleted_at IS NULL;

-- Down Migration
DROP INDEX IF EXISTS items_tenant_live_id;
