// Original file: catalog/v1/catalog_service.proto


export interface RepublishItemsResponse {
  'published'?: (number);
  /**
   * The id to continue after; empty when the tenant's items are all published.
   */
  'next_after_id'?: (string);
}

export interface RepublishItemsResponse__Output {
  'published': (number);
  /**
   * The id to continue after; empty when the tenant's items are all published.
   */
  'next_after_id': (string);
}
