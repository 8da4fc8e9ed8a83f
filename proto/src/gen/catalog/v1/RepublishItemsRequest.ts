// Original file: catalog/v1/catalog_service.proto


export interface RepublishItemsRequest {
  /**
   * Continue after this item id (from the previous response); empty: from the first.
   */
  'after_id'?: (string);
  /**
   * Items per call, at most 10,000; 0 means 1,000.
   */
  'limit'?: (number);
}

export interface RepublishItemsRequest__Output {
  /**
   * Continue after this item id (from the previous response); empty: from the first.
   */
  'after_id': (string);
  /**
   * Items per call, at most 10,000; 0 means 1,000.
   */
  'limit': (number);
}
