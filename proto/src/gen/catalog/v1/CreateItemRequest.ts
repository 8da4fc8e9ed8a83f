// Original file: catalog/v1/catalog_service.proto

import type { ItemFields as _catalog_v1_ItemFields, ItemFields__Output as _catalog_v1_ItemFields__Output } from '../../catalog/v1/ItemFields.ts';

export interface CreateItemRequest {
  'source'?: (string);
  'external_id'?: (string);
  'fields'?: (_catalog_v1_ItemFields | null);
}

export interface CreateItemRequest__Output {
  'source': (string);
  'external_id': (string);
  'fields': (_catalog_v1_ItemFields__Output | null);
}
