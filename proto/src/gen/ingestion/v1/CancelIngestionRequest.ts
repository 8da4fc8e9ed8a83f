// Original file: ingestion/v1/ingestion_service.proto


export interface CancelIngestionRequest {
  'id'?: (string);
}

export interface CancelIngestionRequest__Output {
  'id': (string);
}
