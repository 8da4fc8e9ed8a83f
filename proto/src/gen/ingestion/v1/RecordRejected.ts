// Original file: ingestion/v1/ingestion_events.proto

import type { RecordError as _ingestion_v1_RecordError, RecordError__Output as _ingestion_v1_RecordError__Output } from '../../ingestion/v1/RecordError.ts';

/**
 * Payload of `record.rejected` on ingestion.record.dlq.v1: the raw record as read (at most
 * 1 MiB), its reason and position also in the headers.
 */
export interface RecordRejected {
  'tenant'?: (string);
  'job_id'?: (string);
  'error'?: (_ingestion_v1_RecordError | null);
  'raw'?: (Buffer | Uint8Array | string);
}

/**
 * Payload of `record.rejected` on ingestion.record.dlq.v1: the raw record as read (at most
 * 1 MiB), its reason and position also in the headers.
 */
export interface RecordRejected__Output {
  'tenant': (string);
  'job_id': (string);
  'error': (_ingestion_v1_RecordError__Output | null);
  'raw': (Buffer);
}
