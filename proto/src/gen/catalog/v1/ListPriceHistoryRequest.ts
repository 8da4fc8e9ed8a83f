// Original file: catalog/v1/catalog_service.proto

import type { PageRequest as _common_v1_PageRequest, PageRequest__Output as _common_v1_PageRequest__Output } from '../../common/v1/PageRequest.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { PriceOrder as _catalog_v1_PriceOrder, PriceOrder__Output as _catalog_v1_PriceOrder__Output } from '../../catalog/v1/PriceOrder.ts';

export interface ListPriceHistoryRequest {
  'item_id'?: (string);
  'page'?: (_common_v1_PageRequest | null);
  /**
   * Changes at or after this instant; unset: from the first.
   */
  'from'?: (_google_protobuf_Timestamp | null);
  /**
   * Changes before this instant; unset: up to the last.
   */
  'to'?: (_google_protobuf_Timestamp | null);
  /**
   * Unspecified with neither bound: newest first by version, as before windows existed. Otherwise
   * pages are ordered by change time, then version; newest first unless OLDEST_FIRST.
   */
  'order'?: (_catalog_v1_PriceOrder);
}

export interface ListPriceHistoryRequest__Output {
  'item_id': (string);
  'page': (_common_v1_PageRequest__Output | null);
  /**
   * Changes at or after this instant; unset: from the first.
   */
  'from': (_google_protobuf_Timestamp__Output | null);
  /**
   * Changes before this instant; unset: up to the last.
   */
  'to': (_google_protobuf_Timestamp__Output | null);
  /**
   * Unspecified with neither bound: newest first by version, as before windows existed. Otherwise
   * pages are ordered by change time, then version; newest first unless OLDEST_FIRST.
   */
  'order': (_catalog_v1_PriceOrder__Output);
}
