// Original file: ingestion/v1/ingestion_service.proto

import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from '../../ingestion/v1/Job.ts';
import type { PageResponse as _common_v1_PageResponse, PageResponse__Output as _common_v1_PageResponse__Output } from '../../common/v1/PageResponse.ts';

export interface ListIngestionsResponse {
  'jobs'?: (_ingestion_v1_Job)[];
  'page'?: (_common_v1_PageResponse | null);
}

export interface ListIngestionsResponse__Output {
  'jobs': (_ingestion_v1_Job__Output)[];
  'page': (_common_v1_PageResponse__Output | null);
}
