// Original file: ingestion/v1/ingestion_service.proto


export interface StartIngestionRequest {
  /**
   * file://<path under the configured root> or s3://<configured bucket>/<key>, in the caller's
   * area: file:///tenants/<tenant>/... or s3://<bucket>/tenants/<tenant>/... by default.
   */
  'uri'?: (string);
  /**
   * The source of every record that names none; defaults to the file's name.
   */
  'default_source'?: (string);
}

export interface StartIngestionRequest__Output {
  /**
   * file://<path under the configured root> or s3://<configured bucket>/<key>, in the caller's
   * area: file:///tenants/<tenant>/... or s3://<bucket>/tenants/<tenant>/... by default.
   */
  'uri': (string);
  /**
   * The source of every record that names none; defaults to the file's name.
   */
  'default_source': (string);
}
