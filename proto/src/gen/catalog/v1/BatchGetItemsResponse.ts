// Original file: catalog/v1/catalog_service.proto

import type { Item as _catalog_v1_Item, Item__Output as _catalog_v1_Item__Output } from '../../catalog/v1/Item.ts';

export interface BatchGetItemsResponse {
  /**
   * The items found, in the order of the request.
   */
  'items'?: (_catalog_v1_Item)[];
  /**
   * Ids that name no live item of the tenant.
   */
  'missing_ids'?: (string)[];
}

export interface BatchGetItemsResponse__Output {
  /**
   * The items found, in the order of the request.
   */
  'items': (_catalog_v1_Item__Output)[];
  /**
   * Ids that name no live item of the tenant.
   */
  'missing_ids': (string)[];
}
