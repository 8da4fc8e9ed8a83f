// Original file: catalog/v1/catalog_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { PriceDirection as _catalog_v1_PriceDirection, PriceDirection__Output as _catalog_v1_PriceDirection__Output } from '../../catalog/v1/PriceDirection.ts';
import type { PageRequest as _common_v1_PageRequest, PageRequest__Output as _common_v1_PageRequest__Output } from '../../common/v1/PageRequest.ts';

export interface ListPriceChangesRequest {
  /**
   * Changes at or after this instant; unset: 7 days before `until`. At most 92 days before it.
   */
  'since'?: (_google_protobuf_Timestamp | null);
  /**
   * Changes before this instant; unset: now.
   */
  'until'?: (_google_protobuf_Timestamp | null);
  /**
   * Only drops, or only rises (both need the same currency before and after).
   */
  'direction'?: (_catalog_v1_PriceDirection);
  /**
   * Only changes of at least this percentage of the old price, either way; 0: any.
   */
  'min_change_percent'?: (number | string);
  /**
   * Only changes to a price in this currency.
   */
  'currency'?: (string);
  'page'?: (_common_v1_PageRequest | null);
}

export interface ListPriceChangesRequest__Output {
  /**
   * Changes at or after this instant; unset: 7 days before `until`. At most 92 days before it.
   */
  'since': (_google_protobuf_Timestamp__Output | null);
  /**
   * Changes before this instant; unset: now.
   */
  'until': (_google_protobuf_Timestamp__Output | null);
  /**
   * Only drops, or only rises (both need the same currency before and after).
   */
  'direction': (_catalog_v1_PriceDirection__Output);
  /**
   * Only changes of at least this percentage of the old price, either way; 0: any.
   */
  'min_change_percent': (number);
  /**
   * Only changes to a price in this currency.
   */
  'currency': (string);
  'page': (_common_v1_PageRequest__Output | null);
}
