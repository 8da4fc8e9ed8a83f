// Original file: catalog/v1/catalog_service.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteItemRequest {
  'id'?: (string);
  'expected_version'?: (number | string | Long);
}

export interface DeleteItemRequest__Output {
  'id': (string);
  'expected_version': (string);
}
