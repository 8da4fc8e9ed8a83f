// Original file: ingestion/v1/ingestion_events.proto

import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from '../../ingestion/v1/Job.ts';

/**
 * Payload of `job.started`, `job.progressed`, `job.completed`, `job.failed` and `job.cancelled` on
 * ingestion.job.v1 (key: job id).
 */
export interface JobChanged {
  'job'?: (_ingestion_v1_Job | null);
}

/**
 * Payload of `job.started`, `job.progressed`, `job.completed`, `job.failed` and `job.cancelled` on
 * ingestion.job.v1 (key: job id).
 */
export interface JobChanged__Output {
  'job': (_ingestion_v1_Job__Output | null);
}
