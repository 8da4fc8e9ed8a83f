// Original file: catalog/v1/catalog_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { PriceInterval as _catalog_v1_PriceInterval, PriceInterval__Output as _catalog_v1_PriceInterval__Output } from '../../catalog/v1/PriceInterval.ts';

export interface SummarizePriceHistoryRequest {
  'item_id'?: (string);
  /**
   * Required: the window's first instant.
   */
  'from'?: (_google_protobuf_Timestamp | null);
  /**
   * The window's end, excluded; unset: now.
   */
  'to'?: (_google_protobuf_Timestamp | null);
  /**
   * Unspecified means a day. At most 366 days, 260 weeks or 120 months of buckets.
   */
  'interval'?: (_catalog_v1_PriceInterval);
}

export interface SummarizePriceHistoryRequest__Output {
  'item_id': (string);
  /**
   * Required: the window's first instant.
   */
  'from': (_google_protobuf_Timestamp__Output | null);
  /**
   * The window's end, excluded; unset: now.
   */
  'to': (_google_protobuf_Timestamp__Output | null);
  /**
   * Unspecified means a day. At most 366 days, 260 weeks or 120 months of buckets.
   */
  'interval': (_catalog_v1_PriceInterval__Output);
}
