// Original file: catalog/v1/item.proto

import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from '../../common/v1/Money.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * One entry of an item's price history: the price from `item_version` on.
 */
export interface PricePoint {
  'item_id'?: (string);
  /**
   * Absent when the price was removed.
   */
  'price'?: (_common_v1_Money | null);
  'item_version'?: (number | string | Long);
  'changed_at'?: (_google_protobuf_Timestamp | null);
}

/**
 * One entry of an item's price history: the price from `item_version` on.
 */
export interface PricePoint__Output {
  'item_id': (string);
  /**
   * Absent when the price was removed.
   */
  'price': (_common_v1_Money__Output | null);
  'item_version': (string);
  'changed_at': (_google_protobuf_Timestamp__Output | null);
}
