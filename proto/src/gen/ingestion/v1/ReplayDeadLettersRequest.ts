// Original file: ingestion/v1/ingestion_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';

export interface ReplayDeadLettersRequest {
  /**
   * The job whose dead letters to re-drive; or empty, and a window.
   */
  'job_id'?: (string);
  /**
   * Dead-lettered at or after `since` and before `until` (at most 31 days apart; `until` defaults
   * to now).
   */
  'since'?: (_google_protobuf_Timestamp | null);
  'until'?: (_google_protobuf_Timestamp | null);
}

export interface ReplayDeadLettersRequest__Output {
  /**
   * The job whose dead letters to re-drive; or empty, and a window.
   */
  'job_id': (string);
  /**
   * Dead-lettered at or after `since` and before `until` (at most 31 days apart; `until` defaults
   * to now).
   */
  'since': (_google_protobuf_Timestamp__Output | null);
  'until': (_google_protobuf_Timestamp__Output | null);
}
