// Original file: catalog/v1/catalog_service.proto

import type { PricePoint as _catalog_v1_PricePoint, PricePoint__Output as _catalog_v1_PricePoint__Output } from '../../catalog/v1/PricePoint.ts';
import type { PageResponse as _common_v1_PageResponse, PageResponse__Output as _common_v1_PageResponse__Output } from '../../common/v1/PageResponse.ts';

export interface ListPriceHistoryResponse {
  'prices'?: (_catalog_v1_PricePoint)[];
  'page'?: (_common_v1_PageResponse | null);
}

export interface ListPriceHistoryResponse__Output {
  'prices': (_catalog_v1_PricePoint__Output)[];
  'page': (_common_v1_PageResponse__Output | null);
}
