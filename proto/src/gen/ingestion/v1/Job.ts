// Original file: ingestion/v1/job.proto

import type { JobState as _ingestion_v1_JobState, JobState__Output as _ingestion_v1_JobState__Output } from '../../ingestion/v1/JobState.ts';
import type { RecordError as _ingestion_v1_RecordError, RecordError__Output as _ingestion_v1_RecordError__Output } from '../../ingestion/v1/RecordError.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * An ingestion job and its progress.
 */
export interface Job {
  'id'?: (string);
  'tenant'?: (string);
  /**
   * The file's URI, or `upload:` and the upload's name.
   */
  'uri'?: (string);
  'format'?: (string);
  'state'?: (_ingestion_v1_JobState);
  /**
   * Records in the input, when known (after the end of the input).
   */
  'total'?: (number | string | Long);
  'processed'?: (number | string | Long);
  /**
   * Published to the catalog.
   */
  'accepted'?: (number | string | Long);
  /**
   * Sent to the DLQ with their reasons.
   */
  'rejected'?: (number | string | Long);
  'bytes_read'?: (number | string | Long);
  /**
   * The input's size in bytes, when known beforehand (files).
   */
  'bytes_total'?: (number | string | Long);
  /**
   * Records per second since the start.
   */
  'rate'?: (number | string);
  /**
   * Seconds left at the current rate, when bytes_total is known; -1 otherwise.
   */
  'eta_seconds'?: (number | string);
  'errors'?: (_ingestion_v1_RecordError)[];
  /**
   * Why the job failed or was cancelled.
   */
  'error'?: (string);
  'created_at'?: (_google_protobuf_Timestamp | null);
  'updated_at'?: (_google_protobuf_Timestamp | null);
  'finished_at'?: (_google_protobuf_Timestamp | null);
  /**
   * How it was started: "request" (a file by StartIngestion), "upload", "drop" (the drop scan) or
   * "replay" (dead letters re-driven by ReplayDeadLetters).
   */
  'origin'?: (string);
  /**
   * A dropped file's attempt this job is; 1 for every other job.
   */
  'attempt'?: (number);
  /**
   * A failed drop: when its next attempt may start (a transient cause), or when it was
   * quarantined (a permanent cause or its last attempt; `error` says which), and when a retry of
   * its file (RetryIngestion) released that quarantine.
   */
  'retry_at'?: (_google_protobuf_Timestamp | null);
  'quarantined_at'?: (_google_protobuf_Timestamp | null);
  'released_at'?: (_google_protobuf_Timestamp | null);
  /**
   * Accepted records the catalog applied, and refused (sent to the DLQ with their reasons), so far.
   */
  'applied'?: (number | string | Long);
  'catalog_rejected'?: (number | string | Long);
}

/**
 * An ingestion job and its progress.
 */
export interface Job__Output {
  'id': (string);
  'tenant': (string);
  /**
   * The file's URI, or `upload:` and the upload's name.
   */
  'uri': (string);
  'format': (string);
  'state': (_ingestion_v1_JobState__Output);
  /**
   * Records in the input, when known (after the end of the input).
   */
  'total': (string);
  'processed': (string);
  /**
   * Published to the catalog.
   */
  'accepted': (string);
  /**
   * Sent to the DLQ with their reasons.
   */
  'rejected': (string);
  'bytes_read': (string);
  /**
   * The input's size in bytes, when known beforehand (files).
   */
  'bytes_total': (string);
  /**
   * Records per second since the start.
   */
  'rate': (number);
  /**
   * Seconds left at the current rate, when bytes_total is known; -1 otherwise.
   */
  'eta_seconds': (number);
  'errors': (_ingestion_v1_RecordError__Output)[];
  /**
   * Why the job failed or was cancelled.
   */
  'error': (string);
  'created_at': (_google_protobuf_Timestamp__Output | null);
  'updated_at': (_google_protobuf_Timestamp__Output | null);
  'finished_at': (_google_protobuf_Timestamp__Output | null);
  /**
   * How it was started: "request" (a file by StartIngestion), "upload", "drop" (the drop scan) or
   * "replay" (dead letters re-driven by ReplayDeadLetters).
   */
  'origin': (string);
  /**
   * A dropped file's attempt this job is; 1 for every other job.
   */
  'attempt': (number);
  /**
   * A failed drop: when its next attempt may start (a transient cause), or when it was
   * quarantined (a permanent cause or its last attempt; `error` says which), and when a retry of
   * its file (RetryIngestion) released that quarantine.
   */
  'retry_at': (_google_protobuf_Timestamp__Output | null);
  'quarantined_at': (_google_protobuf_Timestamp__Output | null);
  'released_at': (_google_protobuf_Timestamp__Output | null);
  /**
   * Accepted records the catalog applied, and refused (sent to the DLQ with their reasons), so far.
   */
  'applied': (string);
  'catalog_rejected': (string);
}
