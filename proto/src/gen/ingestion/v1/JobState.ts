// Original file: ingestion/v1/job.proto

export const JobState = {
  JOB_STATE_UNSPECIFIED: 'JOB_STATE_UNSPECIFIED',
  JOB_STATE_RUNNING: 'JOB_STATE_RUNNING',
  JOB_STATE_COMPLETED: 'JOB_STATE_COMPLETED',
  /**
   * Past the error ratio, unreadable (a truncated gzip, a bomb), or interrupted by a crash.
   */
  JOB_STATE_FAILED: 'JOB_STATE_FAILED',
  JOB_STATE_CANCELLED: 'JOB_STATE_CANCELLED',
  /**
   * Every record read and the accepted ones published: waiting for the catalog to apply them
   * (`applied` + `catalog_rejected` reaching `accepted`), then COMPLETED.
   */
  JOB_STATE_APPLYING: 'JOB_STATE_APPLYING',
} as const;

export type JobState =
  | 'JOB_STATE_UNSPECIFIED'
  | 0
  | 'JOB_STATE_RUNNING'
  | 1
  | 'JOB_STATE_COMPLETED'
  | 2
  /**
   * Past the error ratio, unreadable (a truncated gzip, a bomb), or interrupted by a crash.
   */
  | 'JOB_STATE_FAILED'
  | 3
  | 'JOB_STATE_CANCELLED'
  | 4
  /**
   * Every record read and the accepted ones published: waiting for the catalog to apply them
   * (`applied` + `catalog_rejected` reaching `accepted`), then COMPLETED.
   */
  | 'JOB_STATE_APPLYING'
  | 5

export type JobState__Output = typeof JobState[keyof typeof JobState]
