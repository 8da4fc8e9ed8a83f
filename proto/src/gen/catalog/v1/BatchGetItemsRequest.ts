// Original file: catalog/v1/catalog_service.proto


export interface BatchGetItemsRequest {
  /**
   * At most 100 ids.
   */
  'ids'?: (string)[];
}

export interface BatchGetItemsRequest__Output {
  /**
   * At most 100 ids.
   */
  'ids': (string)[];
}
