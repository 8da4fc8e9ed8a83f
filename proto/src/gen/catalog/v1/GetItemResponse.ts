// Original file: catalog/v1/catalog_service.proto

import type { Item as _catalog_v1_Item, Item__Output as _catalog_v1_Item__Output } from '../../catalog/v1/Item.ts';

export interface GetItemResponse {
  'item'?: (_catalog_v1_Item | null);
}

export interface GetItemResponse__Output {
  'item': (_catalog_v1_Item__Output | null);
}
