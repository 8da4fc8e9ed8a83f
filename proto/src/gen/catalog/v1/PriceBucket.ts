// Original file: catalog/v1/catalog_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * One bucket of a series. Prices are in effect over time: `open` is the price at the bucket's
 * start (or at the series' first change within it), `close` the price at its end (or when the
 * series ended within it), `min` and `max` the extremes in between. A bucket without changes
 * carries the last known price forward, with `changes` 0. A bucket without any price in effect is
 * in no series.
 */
export interface PriceBucket {
  /**
   * The bucket's start (UTC midnight, a Monday for weeks, the 1st for months), even when the
   * window starts later: the first and last buckets hold only what falls within the window.
   */
  'start'?: (_google_protobuf_Timestamp | null);
  'open_amount_minor'?: (number | string | Long);
  'close_amount_minor'?: (number | string | Long);
  'min_amount_minor'?: (number | string | Long);
  'max_amount_minor'?: (number | string | Long);
  /**
   * Changes of this series within the bucket and the window.
   */
  'changes'?: (number);
}

/**
 * One bucket of a series. Prices are in effect over time: `open` is the price at the bucket's
 * start (or at the series' first change within it), `close` the price at its end (or when the
 * series ended within it), `min` and `max` the extremes in between. A bucket without changes
 * carries the last known price forward, with `changes` 0. A bucket without any price in effect is
 * in no series.
 */
export interface PriceBucket__Output {
  /**
   * The bucket's start (UTC midnight, a Monday for weeks, the 1st for months), even when the
   * window starts later: the first and last buckets hold only what falls within the window.
   */
  'start': (_google_protobuf_Timestamp__Output | null);
  'open_amount_minor': (string);
  'close_amount_minor': (string);
  'min_amount_minor': (string);
  'max_amount_minor': (string);
  /**
   * Changes of this series within the bucket and the window.
   */
  'changes': (number);
}
