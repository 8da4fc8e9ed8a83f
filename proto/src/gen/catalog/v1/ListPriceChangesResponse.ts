// Original file: catalog/v1/catalog_service.proto

import type { PriceChange as _catalog_v1_PriceChange, PriceChange__Output as _catalog_v1_PriceChange__Output } from '../../catalog/v1/PriceChange.ts';
import type { PageResponse as _common_v1_PageResponse, PageResponse__Output as _common_v1_PageResponse__Output } from '../../common/v1/PageResponse.ts';

export interface ListPriceChangesResponse {
  'changes'?: (_catalog_v1_PriceChange)[];
  'page'?: (_common_v1_PageResponse | null);
}

export interface ListPriceChangesResponse__Output {
  'changes': (_catalog_v1_PriceChange__Output)[];
  'page': (_common_v1_PageResponse__Output | null);
}
