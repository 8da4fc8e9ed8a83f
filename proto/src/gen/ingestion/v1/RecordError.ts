// Original file: ingestion/v1/job.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One bad record, as kept on the job (the first 100) and sent to the DLQ.
 */
export interface RecordError {
  /**
   * 1-based line (NDJSON, CSV) or element (JSON array) of the input.
   */
  'position'?: (number | string | Long);
  /**
   * The field at fault, as the API names it (`title`, `price.currency`), or empty for the record.
   */
  'field'?: (string);
  'reason'?: (string);
}

/**
 * One bad record, as kept on the job (the first 100) and sent to the DLQ.
 */
export interface RecordError__Output {
  /**
   * 1-based line (NDJSON, CSV) or element (JSON array) of the input.
   */
  'position': (string);
  /**
   * The field at fault, as the API names it (`title`, `price.currency`), or empty for the record.
   */
  'field': (string);
  'reason': (string);
}
