// Original file: catalog/v1/catalog_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from '../../common/v1/Money.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * One change of a live item's price, with the price before it.
 */
export interface PriceChange {
  'item_id'?: (string);
  /**
   * The item's title now.
   */
  'title'?: (string);
  'item_version'?: (number | string | Long);
  'changed_at'?: (_google_protobuf_Timestamp | null);
  /**
   * Absent for the item's first price.
   */
  'old_price'?: (_common_v1_Money | null);
  /**
   * Absent when the price was removed.
   */
  'new_price'?: (_common_v1_Money | null);
  /**
   * (new - old) / old * 100, rounded to 2 decimals; absent unless both prices exist, share a
   * currency and the old one is not 0.
   */
  'change_percent'?: (number | string);
  '_change_percent'?: "change_percent";
}

/**
 * One change of a live item's price, with the price before it.
 */
export interface PriceChange__Output {
  'item_id': (string);
  /**
   * The item's title now.
   */
  'title': (string);
  'item_version': (string);
  'changed_at': (_google_protobuf_Timestamp__Output | null);
  /**
   * Absent for the item's first price.
   */
  'old_price': (_common_v1_Money__Output | null);
  /**
   * Absent when the price was removed.
   */
  'new_price': (_common_v1_Money__Output | null);
  /**
   * (new - old) / old * 100, rounded to 2 decimals; absent unless both prices exist, share a
   * currency and the old one is not 0.
   */
  'change_percent'?: (number);
  '_change_percent'?: "change_percent";
}
