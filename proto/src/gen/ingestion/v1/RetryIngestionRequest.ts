// Original file: ingestion/v1/ingestion_service.proto


export interface RetryIngestionRequest {
  /**
   * The failed job.
   */
  'id'?: (string);
}

export interface RetryIngestionRequest__Output {
  /**
   * The failed job.
   */
  'id': (string);
}
