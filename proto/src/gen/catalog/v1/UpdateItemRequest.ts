// Original file: catalog/v1/catalog_service.proto

import type { ItemFields as _catalog_v1_ItemFields, ItemFields__Output as _catalog_v1_ItemFields__Output } from '../../catalog/v1/ItemFields.ts';
import type { FieldMask as _google_protobuf_FieldMask, FieldMask__Output as _google_protobuf_FieldMask__Output } from '../../google/protobuf/FieldMask.ts';
import type { Long } from '@grpc/proto-loader';

export interface UpdateItemRequest {
  'id'?: (string);
  'fields'?: (_catalog_v1_ItemFields | null);
  /**
   * Paths of ItemFields to change (for example "title", "price"); empty replaces every field.
   */
  'update_mask'?: (_google_protobuf_FieldMask | null);
  /**
   * When set (> 0), the update applies only if the item is at this version.
   */
  'expected_version'?: (number | string | Long);
}

export interface UpdateItemRequest__Output {
  'id': (string);
  'fields': (_catalog_v1_ItemFields__Output | null);
  /**
   * Paths of ItemFields to change (for example "title", "price"); empty replaces every field.
   */
  'update_mask': (_google_protobuf_FieldMask__Output | null);
  /**
   * When set (> 0), the update applies only if the item is at this version.
   */
  'expected_version': (string);
}
