// Original file: catalog/v1/catalog_service.proto

import type { PageRequest as _common_v1_PageRequest, PageRequest__Output as _common_v1_PageRequest__Output } from '../../common/v1/PageRequest.ts';

export interface ListPriceHistoryRequest {
  'item_id'?: (string);
  'page'?: (_common_v1_PageRequest | null);
}

export interface ListPriceHistoryRequest__Output {
  'item_id': (string);
  'page': (_common_v1_PageRequest__Output | null);
}
