// Original file: catalog/v1/catalog_service.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteItemResponse {
  /**
   * The version the deletion gave the item.
   */
  'version'?: (number | string | Long);
}

export interface DeleteItemResponse__Output {
  /**
   * The version the deletion gave the item.
   */
  'version': (string);
}
