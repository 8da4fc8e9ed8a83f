// Original file: catalog/v1/events.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * Payload of `item.deleted` on catalog.item.v1.
 */
export interface ItemDeleted {
  'id'?: (string);
  'tenant'?: (string);
  /**
   * The version the deletion gave the item.
   */
  'version'?: (number | string | Long);
  'deleted_at'?: (_google_protobuf_Timestamp | null);
}

/**
 * Payload of `item.deleted` on catalog.item.v1.
 */
export interface ItemDeleted__Output {
  'id': (string);
  'tenant': (string);
  /**
   * The version the deletion gave the item.
   */
  'version': (string);
  'deleted_at': (_google_protobuf_Timestamp__Output | null);
}
