// Original file: ingestion/v1/ingestion_service.proto

import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from '../../ingestion/v1/Job.ts';

export interface ReplayDeadLettersResponse {
  /**
   * The replay, running: its records are the dead letters read; accepted ones are published again
   * (the catalog's applied and refused counts say how they fared), rejected ones go back to the
   * DLQ with their reasons.
   */
  'job'?: (_ingestion_v1_Job | null);
}

export interface ReplayDeadLettersResponse__Output {
  /**
   * The replay, running: its records are the dead letters read; accepted ones are published again
   * (the catalog's applied and refused counts say how they fared), rejected ones go back to the
   * DLQ with their reasons.
   */
  'job': (_ingestion_v1_Job__Output | null);
}
