// Original file: ingestion/v1/ingestion_service.proto

import type { PageRequest as _common_v1_PageRequest, PageRequest__Output as _common_v1_PageRequest__Output } from '../../common/v1/PageRequest.ts';

export interface ListIngestionsRequest {
  'page'?: (_common_v1_PageRequest | null);
}

export interface ListIngestionsRequest__Output {
  'page': (_common_v1_PageRequest__Output | null);
}
