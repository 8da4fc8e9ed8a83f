// Original file: ingestion/v1/ingestion_events.proto

import type { ItemFields as _catalog_v1_ItemFields, ItemFields__Output as _catalog_v1_ItemFields__Output } from '../../catalog/v1/ItemFields.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * Payload of `record.submitted` on ingestion.record.v1 (key: tenant/source/external_id): one
 * validated record for the catalog to upsert by its natural key.
 */
export interface RecordSubmitted {
  'tenant'?: (string);
  'source'?: (string);
  'external_id'?: (string);
  'fields'?: (_catalog_v1_ItemFields | null);
  'job_id'?: (string);
  'position'?: (number | string | Long);
}

/**
 * Payload of `record.submitted` on ingestion.record.v1 (key: tenant/source/external_id): one
 * validated record for the catalog to upsert by its natural key.
 */
export interface RecordSubmitted__Output {
  'tenant': (string);
  'source': (string);
  'external_id': (string);
  'fields': (_catalog_v1_ItemFields__Output | null);
  'job_id': (string);
  'position': (string);
}
