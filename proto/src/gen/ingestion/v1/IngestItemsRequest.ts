// Original file: ingestion/v1/ingestion_service.proto

import type { UploadHeader as _ingestion_v1_UploadHeader, UploadHeader__Output as _ingestion_v1_UploadHeader__Output } from '../../ingestion/v1/UploadHeader.ts';

export interface IngestItemsRequest {
  'header'?: (_ingestion_v1_UploadHeader | null);
  'chunk'?: (Buffer | Uint8Array | string);
  'part'?: "header"|"chunk";
}

export interface IngestItemsRequest__Output {
  'header'?: (_ingestion_v1_UploadHeader__Output | null);
  'chunk'?: (Buffer);
  'part'?: "header"|"chunk";
}
