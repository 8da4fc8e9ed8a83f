// Original file: ingestion/v1/ingestion_service.proto


export interface StartIngestionRequest {
  /**
   * file://<path under the configured root> or s3://<configured bucket>/<key>
   */
  'uri'?: (string);
  /**
   * The source of every record that names none; defaults to the file's name.
   */
  'default_source'?: (string);
}

export interface StartIngestionRequest__Output {
  /**
   * file://<path under the configured root> or s3://<configured bucket>/<key>
   */
  'uri': (string);
  /**
   * The source of every record that names none; defaults to the file's name.
   */
  'default_source': (string);
}
