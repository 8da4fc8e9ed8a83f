// Original file: ingestion/v1/ingestion_service.proto


export interface GetIngestionRequest {
  'id'?: (string);
}

export interface GetIngestionRequest__Output {
  'id': (string);
}
