// Original file: catalog/v1/events.proto

import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from '../../common/v1/Money.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * Payload of `price.changed` on catalog.price.v1.
 */
export interface PriceChanged {
  'item_id'?: (string);
  'tenant'?: (string);
  /**
   * Absent when the item had no price before (or has none now).
   */
  'previous'?: (_common_v1_Money | null);
  'current'?: (_common_v1_Money | null);
  'item_version'?: (number | string | Long);
  'changed_at'?: (_google_protobuf_Timestamp | null);
}

/**
 * Payload of `price.changed` on catalog.price.v1.
 */
export interface PriceChanged__Output {
  'item_id': (string);
  'tenant': (string);
  /**
   * Absent when the item had no price before (or has none now).
   */
  'previous': (_common_v1_Money__Output | null);
  'current': (_common_v1_Money__Output | null);
  'item_version': (string);
  'changed_at': (_google_protobuf_Timestamp__Output | null);
}
