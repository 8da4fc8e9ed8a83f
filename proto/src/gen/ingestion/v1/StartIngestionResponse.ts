// Original file: ingestion/v1/ingestion_service.proto

import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from '../../ingestion/v1/Job.ts';

export interface StartIngestionResponse {
  'job'?: (_ingestion_v1_Job | null);
  'duplicate'?: (boolean);
}

export interface StartIngestionResponse__Output {
  'job': (_ingestion_v1_Job__Output | null);
  'duplicate': (boolean);
}
