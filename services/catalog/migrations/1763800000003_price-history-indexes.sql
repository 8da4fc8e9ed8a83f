-- Up Migration
-- Price history read by time, not only by version: an item's changes in a window (ranges and
-- summaries) and a tenant's changes in a window (the change feed). Each query is a range scan of
-- one of these, so none reads more of a tenant's history than its window.
--
-- An item's changes by time; the version breaks ties between changes of one instant and is the
-- rest of the keyset of a page.
CREATE INDEX price_history_item_time ON price_history (item_id, changed_at, item_version);
-- A tenant's changes by time, newest first when walked backwards; (item_id, item_version) makes
-- each position unique, so the feed's keyset never skips or repeats a change of the same instant.
-- The price before each change is not stored: it is the item's previous row, one probe of the
-- primary key (item_id, item_version) per change, which keeps the write path as it is and holds
-- for every row ever written.
CREATE INDEX price_history_tenant_time ON price_history (tenant, changed_at, item_id, item_version);

-- Down Migration
DROP INDEX price_history_tenant_time;
DROP INDEX price_history_item_time;
