// Original file: ingestion/v1/ingestion_service.proto

import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from '../../ingestion/v1/Job.ts';

export interface IngestItemsResponse {
  'job'?: (_ingestion_v1_Job | null);
  /**
   * True when the idempotency key named an earlier upload: this one was not read.
   */
  'duplicate'?: (boolean);
}

export interface IngestItemsResponse__Output {
  'job': (_ingestion_v1_Job__Output | null);
  /**
   * True when the idempotency key named an earlier upload: this one was not read.
   */
  'duplicate': (boolean);
}
