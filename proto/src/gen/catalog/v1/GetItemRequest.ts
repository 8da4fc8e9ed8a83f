// Original file: catalog/v1/catalog_service.proto


export interface GetItemRequest {
  'id'?: (string);
}

export interface GetItemRequest__Output {
  'id': (string);
}
