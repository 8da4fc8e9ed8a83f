// Original file: catalog/v1/events.proto

import type { Item as _catalog_v1_Item, Item__Output as _catalog_v1_Item__Output } from '../../catalog/v1/Item.ts';

/**
 * Payload of `item.upserted` on catalog.item.v1: the full item after the change.
 */
export interface ItemUpserted {
  'item'?: (_catalog_v1_Item | null);
}

/**
 * Payload of `item.upserted` on catalog.item.v1: the full item after the change.
 */
export interface ItemUpserted__Output {
  'item': (_catalog_v1_Item__Output | null);
}
