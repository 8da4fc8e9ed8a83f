// Original file: ingestion/v1/ingestion_service.proto


export interface UploadHeader {
  /**
   * The source of every record that names none.
   */
  'default_source'?: (string);
  /**
   * "ndjson" or "json" (an array of items).
   */
  'format'?: (string);
  /**
   * A retried upload with the same key returns the same job.
   */
  'idempotency_key'?: (string);
  /**
   * A name for people: shown on the job.
   */
  'name'?: (string);
}

export interface UploadHeader__Output {
  /**
   * The source of every record that names none.
   */
  'default_source': (string);
  /**
   * "ndjson" or "json" (an array of items).
   */
  'format': (string);
  /**
   * A retried upload with the same key returns the same job.
   */
  'idempotency_key': (string);
  /**
   * A name for people: shown on the job.
   */
  'name': (string);
}
