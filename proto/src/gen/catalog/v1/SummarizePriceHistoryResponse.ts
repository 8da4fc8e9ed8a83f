// Original file: catalog/v1/catalog_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { PriceInterval as _catalog_v1_PriceInterval, PriceInterval__Output as _catalog_v1_PriceInterval__Output } from '../../catalog/v1/PriceInterval.ts';
import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from '../../common/v1/Money.ts';
import type { PriceSeries as _catalog_v1_PriceSeries, PriceSeries__Output as _catalog_v1_PriceSeries__Output } from '../../catalog/v1/PriceSeries.ts';

export interface SummarizePriceHistoryResponse {
  'item_id'?: (string);
  'from'?: (_google_protobuf_Timestamp | null);
  'to'?: (_google_protobuf_Timestamp | null);
  'interval'?: (_catalog_v1_PriceInterval);
  /**
   * The item's price now; absent when it has none.
   */
  'current_price'?: (_common_v1_Money | null);
  /**
   * One series per run of one currency, oldest first: a change of currency starts a new series.
   */
  'series'?: (_catalog_v1_PriceSeries)[];
}

export interface SummarizePriceHistoryResponse__Output {
  'item_id': (string);
  'from': (_google_protobuf_Timestamp__Output | null);
  'to': (_google_protobuf_Timestamp__Output | null);
  'interval': (_catalog_v1_PriceInterval__Output);
  /**
   * The item's price now; absent when it has none.
   */
  'current_price': (_common_v1_Money__Output | null);
  /**
   * One series per run of one currency, oldest first: a change of currency starts a new series.
   */
  'series': (_catalog_v1_PriceSeries__Output)[];
}
