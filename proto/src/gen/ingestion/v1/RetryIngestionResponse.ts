// Original file: ingestion/v1/ingestion_service.proto

import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from '../../ingestion/v1/Job.ts';

export interface RetryIngestionResponse {
  /**
   * The new job, or the live or completed one of the same file that makes it a duplicate.
   */
  'job'?: (_ingestion_v1_Job | null);
  'duplicate'?: (boolean);
}

export interface RetryIngestionResponse__Output {
  /**
   * The new job, or the live or completed one of the same file that makes it a duplicate.
   */
  'job': (_ingestion_v1_Job__Output | null);
  'duplicate': (boolean);
}
