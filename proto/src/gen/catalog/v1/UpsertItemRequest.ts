// Original file: catalog/v1/catalog_service.proto

import type { ItemFields as _catalog_v1_ItemFields, ItemFields__Output as _catalog_v1_ItemFields__Output } from '../../catalog/v1/ItemFields.ts';

export interface UpsertItemRequest {
  'source'?: (string);
  'external_id'?: (string);
  'fields'?: (_catalog_v1_ItemFields | null);
}

export interface UpsertItemRequest__Output {
  'source': (string);
  'external_id': (string);
  'fields': (_catalog_v1_ItemFields__Output | null);
}
