// Original file: ingestion/v1/ingestion_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelIngestionRequest as _ingestion_v1_CancelIngestionRequest, CancelIngestionRequest__Output as _ingestion_v1_CancelIngestionRequest__Output } from '../../ingestion/v1/CancelIngestionRequest.ts';
import type { CancelIngestionResponse as _ingestion_v1_CancelIngestionResponse, CancelIngestionResponse__Output as _ingestion_v1_CancelIngestionResponse__Output } from '../../ingestion/v1/CancelIngestionResponse.ts';
import type { GetIngestionRequest as _ingestion_v1_GetIngestionRequest, GetIngestionRequest__Output as _ingestion_v1_GetIngestionRequest__Output } from '../../ingestion/v1/GetIngestionRequest.ts';
import type { GetIngestionResponse as _ingestion_v1_GetIngestionResponse, GetIngestionResponse__Output as _ingestion_v1_GetIngestionResponse__Output } from '../../ingestion/v1/GetIngestionResponse.ts';
import type { IngestItemsRequest as _ingestion_v1_IngestItemsRequest, IngestItemsRequest__Output as _ingestion_v1_IngestItemsRequest__Output } from '../../ingestion/v1/IngestItemsRequest.ts';
import type { IngestItemsResponse as _ingestion_v1_IngestItemsResponse, IngestItemsResponse__Output as _ingestion_v1_IngestItemsResponse__Output } from '../../ingestion/v1/IngestItemsResponse.ts';
import type { ListIngestionsRequest as _ingestion_v1_ListIngestionsRequest, ListIngestionsRequest__Output as _ingestion_v1_ListIngestionsRequest__Output } from '../../ingestion/v1/ListIngestionsRequest.ts';
import type { ListIngestionsResponse as _ingestion_v1_ListIngestionsResponse, ListIngestionsResponse__Output as _ingestion_v1_ListIngestionsResponse__Output } from '../../ingestion/v1/ListIngestionsResponse.ts';
import type { ReplayDeadLettersRequest as _ingestion_v1_ReplayDeadLettersRequest, ReplayDeadLettersRequest__Output as _ingestion_v1_ReplayDeadLettersRequest__Output } from '../../ingestion/v1/ReplayDeadLettersRequest.ts';
import type { ReplayDeadLettersResponse as _ingestion_v1_ReplayDeadLettersResponse, ReplayDeadLettersResponse__Output as _ingestion_v1_ReplayDeadLettersResponse__Output } from '../../ingestion/v1/ReplayDeadLettersResponse.ts';
import type { RetryIngestionRequest as _ingestion_v1_RetryIngestionRequest, RetryIngestionRequest__Output as _ingestion_v1_RetryIngestionRequest__Output } from '../../ingestion/v1/RetryIngestionRequest.ts';
import type { RetryIngestionResponse as _ingestion_v1_RetryIngestionResponse, RetryIngestionResponse__Output as _ingestion_v1_RetryIngestionResponse__Output } from '../../ingestion/v1/RetryIngestionResponse.ts';
import type { StartIngestionRequest as _ingestion_v1_StartIngestionRequest, StartIngestionRequest__Output as _ingestion_v1_StartIngestionRequest__Output } from '../../ingestion/v1/StartIngestionRequest.ts';
import type { StartIngestionResponse as _ingestion_v1_StartIngestionResponse, StartIngestionResponse__Output as _ingestion_v1_StartIngestionResponse__Output } from '../../ingestion/v1/StartIngestionResponse.ts';

/**
 * Bulk loads and file drops. Records are parsed, validated with the catalog's rules and
 * published to ingestion.record.v1, which the catalog applies; bad records go to
 * ingestion.record.dlq.v1. Every call acts within the tenant forwarded by the gateway.
 */
export interface IngestionServiceClient extends grpc.Client {
  /**
   * Stops a running job; records already published stay published.
   */
  CancelIngestion(argument: _ingestion_v1_CancelIngestionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_CancelIngestionResponse__Output>): grpc.ClientUnaryCall;
  CancelIngestion(argument: _ingestion_v1_CancelIngestionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_CancelIngestionResponse__Output>): grpc.ClientUnaryCall;
  CancelIngestion(argument: _ingestion_v1_CancelIngestionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_CancelIngestionResponse__Output>): grpc.ClientUnaryCall;
  CancelIngestion(argument: _ingestion_v1_CancelIngestionRequest, callback: grpc.requestCallback<_ingestion_v1_CancelIngestionResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Stops a running job; records already published stay published.
   */
  cancelIngestion(argument: _ingestion_v1_CancelIngestionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_CancelIngestionResponse__Output>): grpc.ClientUnaryCall;
  cancelIngestion(argument: _ingestion_v1_CancelIngestionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_CancelIngestionResponse__Output>): grpc.ClientUnaryCall;
  cancelIngestion(argument: _ingestion_v1_CancelIngestionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_CancelIngestionResponse__Output>): grpc.ClientUnaryCall;
  cancelIngestion(argument: _ingestion_v1_CancelIngestionRequest, callback: grpc.requestCallback<_ingestion_v1_CancelIngestionResponse__Output>): grpc.ClientUnaryCall;
  
  GetIngestion(argument: _ingestion_v1_GetIngestionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_GetIngestionResponse__Output>): grpc.ClientUnaryCall;
  GetIngestion(argument: _ingestion_v1_GetIngestionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_GetIngestionResponse__Output>): grpc.ClientUnaryCall;
  GetIngestion(argument: _ingestion_v1_GetIngestionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_GetIngestionResponse__Output>): grpc.ClientUnaryCall;
  GetIngestion(argument: _ingestion_v1_GetIngestionRequest, callback: grpc.requestCallback<_ingestion_v1_GetIngestionResponse__Output>): grpc.ClientUnaryCall;
  getIngestion(argument: _ingestion_v1_GetIngestionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_GetIngestionResponse__Output>): grpc.ClientUnaryCall;
  getIngestion(argument: _ingestion_v1_GetIngestionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_GetIngestionResponse__Output>): grpc.ClientUnaryCall;
  getIngestion(argument: _ingestion_v1_GetIngestionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_GetIngestionResponse__Output>): grpc.ClientUnaryCall;
  getIngestion(argument: _ingestion_v1_GetIngestionRequest, callback: grpc.requestCallback<_ingestion_v1_GetIngestionResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams an upload: the first message is the header, the rest are its bytes in order. The
   * service parses them as they arrive (NDJSON or a JSON array), so no side holds the whole body.
   * Returns the job when the stream ends (or the earlier job of the same idempotency key).
   */
  IngestItems(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_IngestItemsResponse__Output>): grpc.ClientWritableStream<_ingestion_v1_IngestItemsRequest>;
  IngestItems(metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_IngestItemsResponse__Output>): grpc.ClientWritableStream<_ingestion_v1_IngestItemsRequest>;
  IngestItems(options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_IngestItemsResponse__Output>): grpc.ClientWritableStream<_ingestion_v1_IngestItemsRequest>;
  IngestItems(callback: grpc.requestCallback<_ingestion_v1_IngestItemsResponse__Output>): grpc.ClientWritableStream<_ingestion_v1_IngestItemsRequest>;
  /**
   * Streams an upload: the first message is the header, the rest are its bytes in order. The
   * service parses them as they arrive (NDJSON or a JSON array), so no side holds the whole body.
   * Returns the job when the stream ends (or the earlier job of the same idempotency key).
   */
  ingestItems(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_IngestItemsResponse__Output>): grpc.ClientWritableStream<_ingestion_v1_IngestItemsRequest>;
  ingestItems(metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_IngestItemsResponse__Output>): grpc.ClientWritableStream<_ingestion_v1_IngestItemsRequest>;
  ingestItems(options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_IngestItemsResponse__Output>): grpc.ClientWritableStream<_ingestion_v1_IngestItemsRequest>;
  ingestItems(callback: grpc.requestCallback<_ingestion_v1_IngestItemsResponse__Output>): grpc.ClientWritableStream<_ingestion_v1_IngestItemsRequest>;
  
  /**
   * Newest first.
   */
  ListIngestions(argument: _ingestion_v1_ListIngestionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_ListIngestionsResponse__Output>): grpc.ClientUnaryCall;
  ListIngestions(argument: _ingestion_v1_ListIngestionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_ListIngestionsResponse__Output>): grpc.ClientUnaryCall;
  ListIngestions(argument: _ingestion_v1_ListIngestionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_ListIngestionsResponse__Output>): grpc.ClientUnaryCall;
  ListIngestions(argument: _ingestion_v1_ListIngestionsRequest, callback: grpc.requestCallback<_ingestion_v1_ListIngestionsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Newest first.
   */
  listIngestions(argument: _ingestion_v1_ListIngestionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_ListIngestionsResponse__Output>): grpc.ClientUnaryCall;
  listIngestions(argument: _ingestion_v1_ListIngestionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_ListIngestionsResponse__Output>): grpc.ClientUnaryCall;
  listIngestions(argument: _ingestion_v1_ListIngestionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_ListIngestionsResponse__Output>): grpc.ClientUnaryCall;
  listIngestions(argument: _ingestion_v1_ListIngestionsRequest, callback: grpc.requestCallback<_ingestion_v1_ListIngestionsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Re-drives the tenant's dead letters on ingestion.record.dlq.v1, once the cause is fixed: those
   * of one job (`job_id`), or those dead-lettered within a window (`since`, `until`), each record
   * once across replays, as a new job (origin "replay") whose counts are the outcome.
   * INVALID_ARGUMENT names the field; NOT_FOUND for a job of no tenant's.
   */
  ReplayDeadLetters(argument: _ingestion_v1_ReplayDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_ReplayDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  ReplayDeadLetters(argument: _ingestion_v1_ReplayDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_ReplayDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  ReplayDeadLetters(argument: _ingestion_v1_ReplayDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_ReplayDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  ReplayDeadLetters(argument: _ingestion_v1_ReplayDeadLettersRequest, callback: grpc.requestCallback<_ingestion_v1_ReplayDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Re-drives the tenant's dead letters on ingestion.record.dlq.v1, once the cause is fixed: those
   * of one job (`job_id`), or those dead-lettered within a window (`since`, `until`), each record
   * once across replays, as a new job (origin "replay") whose counts are the outcome.
   * INVALID_ARGUMENT names the field; NOT_FOUND for a job of no tenant's.
   */
  replayDeadLetters(argument: _ingestion_v1_ReplayDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_ReplayDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  replayDeadLetters(argument: _ingestion_v1_ReplayDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_ReplayDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  replayDeadLetters(argument: _ingestion_v1_ReplayDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_ReplayDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  replayDeadLetters(argument: _ingestion_v1_ReplayDeadLettersRequest, callback: grpc.requestCallback<_ingestion_v1_ReplayDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Starts a failed file job's file again, as a new job (its first attempt), reading the file as
   * it is now; a quarantined drop is released by it. FAILED_PRECONDITION for a job that did not
   * fail, or an upload (not kept: upload it again).
   */
  RetryIngestion(argument: _ingestion_v1_RetryIngestionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_RetryIngestionResponse__Output>): grpc.ClientUnaryCall;
  RetryIngestion(argument: _ingestion_v1_RetryIngestionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_RetryIngestionResponse__Output>): grpc.ClientUnaryCall;
  RetryIngestion(argument: _ingestion_v1_RetryIngestionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_RetryIngestionResponse__Output>): grpc.ClientUnaryCall;
  RetryIngestion(argument: _ingestion_v1_RetryIngestionRequest, callback: grpc.requestCallback<_ingestion_v1_RetryIngestionResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Starts a failed file job's file again, as a new job (its first attempt), reading the file as
   * it is now; a quarantined drop is released by it. FAILED_PRECONDITION for a job that did not
   * fail, or an upload (not kept: upload it again).
   */
  retryIngestion(argument: _ingestion_v1_RetryIngestionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_RetryIngestionResponse__Output>): grpc.ClientUnaryCall;
  retryIngestion(argument: _ingestion_v1_RetryIngestionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_RetryIngestionResponse__Output>): grpc.ClientUnaryCall;
  retryIngestion(argument: _ingestion_v1_RetryIngestionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_RetryIngestionResponse__Output>): grpc.ClientUnaryCall;
  retryIngestion(argument: _ingestion_v1_RetryIngestionRequest, callback: grpc.requestCallback<_ingestion_v1_RetryIngestionResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Starts a job from a file:// or s3:// URI; a file already ingested returns the earlier job,
   * marked as a duplicate.
   */
  StartIngestion(argument: _ingestion_v1_StartIngestionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_StartIngestionResponse__Output>): grpc.ClientUnaryCall;
  StartIngestion(argument: _ingestion_v1_StartIngestionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_StartIngestionResponse__Output>): grpc.ClientUnaryCall;
  StartIngestion(argument: _ingestion_v1_StartIngestionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_StartIngestionResponse__Output>): grpc.ClientUnaryCall;
  StartIngestion(argument: _ingestion_v1_StartIngestionRequest, callback: grpc.requestCallback<_ingestion_v1_StartIngestionResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Starts a job from a file:// or s3:// URI; a file already ingested returns the earlier job,
   * marked as a duplicate.
   */
  startIngestion(argument: _ingestion_v1_StartIngestionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_StartIngestionResponse__Output>): grpc.ClientUnaryCall;
  startIngestion(argument: _ingestion_v1_StartIngestionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ingestion_v1_StartIngestionResponse__Output>): grpc.ClientUnaryCall;
  startIngestion(argument: _ingestion_v1_StartIngestionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ingestion_v1_StartIngestionResponse__Output>): grpc.ClientUnaryCall;
  startIngestion(argument: _ingestion_v1_StartIngestionRequest, callback: grpc.requestCallback<_ingestion_v1_StartIngestionResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Bulk loads and file drops. Records are parsed, validated with the catalog's rules and
 * published to ingestion.record.v1, which the catalog applies; bad records go to
 * ingestion.record.dlq.v1. Every call acts within the tenant forwarded by the gateway.
 */
export interface IngestionServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Stops a running job; records already published stay published.
   */
  CancelIngestion: grpc.handleUnaryCall<_ingestion_v1_CancelIngestionRequest__Output, _ingestion_v1_CancelIngestionResponse>;
  
  GetIngestion: grpc.handleUnaryCall<_ingestion_v1_GetIngestionRequest__Output, _ingestion_v1_GetIngestionResponse>;
  
  /**
   * Streams an upload: the first message is the header, the rest are its bytes in order. The
   * service parses them as they arrive (NDJSON or a JSON array), so no side holds the whole body.
   * Returns the job when the stream ends (or the earlier job of the same idempotency key).
   */
  IngestItems: grpc.handleClientStreamingCall<_ingestion_v1_IngestItemsRequest__Output, _ingestion_v1_IngestItemsResponse>;
  
  /**
   * Newest first.
   */
  ListIngestions: grpc.handleUnaryCall<_ingestion_v1_ListIngestionsRequest__Output, _ingestion_v1_ListIngestionsResponse>;
  
  /**
   * Re-drives the tenant's dead letters on ingestion.record.dlq.v1, once the cause is fixed: those
   * of one job (`job_id`), or those dead-lettered within a window (`since`, `until`), each record
   * once across replays, as a new job (origin "replay") whose counts are the outcome.
   * INVALID_ARGUMENT names the field; NOT_FOUND for a job of no tenant's.
   */
  ReplayDeadLetters: grpc.handleUnaryCall<_ingestion_v1_ReplayDeadLettersRequest__Output, _ingestion_v1_ReplayDeadLettersResponse>;
  
  /**
   * Starts a failed file job's file again, as a new job (its first attempt), reading the file as
   * it is now; a quarantined drop is released by it. FAILED_PRECONDITION for a job that did not
   * fail, or an upload (not kept: upload it again).
   */
  RetryIngestion: grpc.handleUnaryCall<_ingestion_v1_RetryIngestionRequest__Output, _ingestion_v1_RetryIngestionResponse>;
  
  /**
   * Starts a job from a file:// or s3:// URI; a file already ingested returns the earlier job,
   * marked as a duplicate.
   */
  StartIngestion: grpc.handleUnaryCall<_ingestion_v1_StartIngestionRequest__Output, _ingestion_v1_StartIngestionResponse>;
  
}

export interface IngestionServiceDefinition extends grpc.ServiceDefinition {
  CancelIngestion: MethodDefinition<_ingestion_v1_CancelIngestionRequest, _ingestion_v1_CancelIngestionResponse, _ingestion_v1_CancelIngestionRequest__Output, _ingestion_v1_CancelIngestionResponse__Output>
  GetIngestion: MethodDefinition<_ingestion_v1_GetIngestionRequest, _ingestion_v1_GetIngestionResponse, _ingestion_v1_GetIngestionRequest__Output, _ingestion_v1_GetIngestionResponse__Output>
  IngestItems: MethodDefinition<_ingestion_v1_IngestItemsRequest, _ingestion_v1_IngestItemsResponse, _ingestion_v1_IngestItemsRequest__Output, _ingestion_v1_IngestItemsResponse__Output>
  ListIngestions: MethodDefinition<_ingestion_v1_ListIngestionsRequest, _ingestion_v1_ListIngestionsResponse, _ingestion_v1_ListIngestionsRequest__Output, _ingestion_v1_ListIngestionsResponse__Output>
  ReplayDeadLetters: MethodDefinition<_ingestion_v1_ReplayDeadLettersRequest, _ingestion_v1_ReplayDeadLettersResponse, _ingestion_v1_ReplayDeadLettersRequest__Output, _ingestion_v1_ReplayDeadLettersResponse__Output>
  RetryIngestion: MethodDefinition<_ingestion_v1_RetryIngestionRequest, _ingestion_v1_RetryIngestionResponse, _ingestion_v1_RetryIngestionRequest__Output, _ingestion_v1_RetryIngestionResponse__Output>
  StartIngestion: MethodDefinition<_ingestion_v1_StartIngestionRequest, _ingestion_v1_StartIngestionResponse, _ingestion_v1_StartIngestionRequest__Output, _ingestion_v1_StartIngestionResponse__Output>
}
