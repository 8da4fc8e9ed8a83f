// Original file: catalog/v1/events.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Payload of `ingest.applied` on catalog.ingest.v1 (key: job id): what the catalog has done so far
 * with the records of one ingestion job it read from one partition of ingestion.record.v1. The
 * counts are running totals, each record counted once (a batch delivered again adds nothing), so
 * a reader keeps the greatest it saw per job and partition and sums over the partitions.
 */
export interface IngestApplied {
  'tenant'?: (string);
  'job_id'?: (string);
  'partition'?: (number);
  /**
   * Records applied (changed or already as they said).
   */
  'applied'?: (number | string | Long);
  /**
   * Records the catalog refused, sent to ingestion.record.dlq.v1 with their reasons.
   */
  'rejected'?: (number | string | Long);
  /**
   * The last offset of the partition counted.
   */
  'through_offset'?: (number | string | Long);
  /**
   * The catalog's consumer group that applied them (CATALOG_INGEST_GROUP): ingestion takes the
   * totals of the group it expects only (a second catalog, a bench or a test reading the same
   * records counts its own).
   */
  'group'?: (string);
}

/**
 * Payload of `ingest.applied` on catalog.ingest.v1 (key: job id): what the catalog has done so far
 * with the records of one ingestion job it read from one partition of ingestion.record.v1. The
 * counts are running totals, each record counted once (a batch delivered again adds nothing), so
 * a reader keeps the greatest it saw per job and partition and sums over the partitions.
 */
export interface IngestApplied__Output {
  'tenant': (string);
  'job_id': (string);
  'partition': (number);
  /**
   * Records applied (changed or already as they said).
   */
  'applied': (string);
  /**
   * Records the catalog refused, sent to ingestion.record.dlq.v1 with their reasons.
   */
  'rejected': (string);
  /**
   * The last offset of the partition counted.
   */
  'through_offset': (string);
  /**
   * The catalog's consumer group that applied them (CATALOG_INGEST_GROUP): ingestion takes the
   * totals of the group it expects only (a second catalog, a bench or a test reading the same
   * records counts its own).
   */
  'group': (string);
}
