// Original file: catalog/v1/catalog_service.proto

import type { Item as _catalog_v1_Item, Item__Output as _catalog_v1_Item__Output } from '../../catalog/v1/Item.ts';

export interface UpsertItemResponse {
  'item'?: (_catalog_v1_Item | null);
  /**
   * True when this call made the item (or brought a deleted one back).
   */
  'created'?: (boolean);
  /**
   * False when the write changed nothing: same version, no event.
   */
  'changed'?: (boolean);
}

export interface UpsertItemResponse__Output {
  'item': (_catalog_v1_Item__Output | null);
  /**
   * True when this call made the item (or brought a deleted one back).
   */
  'created': (boolean);
  /**
   * False when the write changed nothing: same version, no event.
   */
  'changed': (boolean);
}
