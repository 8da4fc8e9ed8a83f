import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { PageRequest as _common_v1_PageRequest, PageRequest__Output as _common_v1_PageRequest__Output } from './common/v1/PageRequest.ts';
import type { PageResponse as _common_v1_PageResponse, PageResponse__Output as _common_v1_PageResponse__Output } from './common/v1/PageResponse.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { CancelIngestionRequest as _ingestion_v1_CancelIngestionRequest, CancelIngestionRequest__Output as _ingestion_v1_CancelIngestionRequest__Output } from './ingestion/v1/CancelIngestionRequest.ts';
import type { CancelIngestionResponse as _ingestion_v1_CancelIngestionResponse, CancelIngestionResponse__Output as _ingestion_v1_CancelIngestionResponse__Output } from './ingestion/v1/CancelIngestionResponse.ts';
import type { GetIngestionRequest as _ingestion_v1_GetIngestionRequest, GetIngestionRequest__Output as _ingestion_v1_GetIngestionRequest__Output } from './ingestion/v1/GetIngestionRequest.ts';
import type { GetIngestionResponse as _ingestion_v1_GetIngestionResponse, GetIngestionResponse__Output as _ingestion_v1_GetIngestionResponse__Output } from './ingestion/v1/GetIngestionResponse.ts';
import type { IngestItemsRequest as _ingestion_v1_IngestItemsRequest, IngestItemsRequest__Output as _ingestion_v1_IngestItemsRequest__Output } from './ingestion/v1/IngestItemsRequest.ts';
import type { IngestItemsResponse as _ingestion_v1_IngestItemsResponse, IngestItemsResponse__Output as _ingestion_v1_IngestItemsResponse__Output } from './ingestion/v1/IngestItemsResponse.ts';
import type { IngestionServiceClient as _ingestion_v1_IngestionServiceClient, IngestionServiceDefinition as _ingestion_v1_IngestionServiceDefinition } from './ingestion/v1/IngestionService.ts';
import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from './ingestion/v1/Job.ts';
import type { ListIngestionsRequest as _ingestion_v1_ListIngestionsRequest, ListIngestionsRequest__Output as _ingestion_v1_ListIngestionsRequest__Output } from './ingestion/v1/ListIngestionsRequest.ts';
import type { ListIngestionsResponse as _ingestion_v1_ListIngestionsResponse, ListIngestionsResponse__Output as _ingestion_v1_ListIngestionsResponse__Output } from './ingestion/v1/ListIngestionsResponse.ts';
import type { RecordError as _ingestion_v1_RecordError, RecordError__Output as _ingestion_v1_RecordError__Output } from './ingestion/v1/RecordError.ts';
import type { ReplayDeadLettersRequest as _ingestion_v1_ReplayDeadLettersRequest, ReplayDeadLettersRequest__Output as _ingestion_v1_ReplayDeadLettersRequest__Output } from './ingestion/v1/ReplayDeadLettersRequest.ts';
import type { ReplayDeadLettersResponse as _ingestion_v1_ReplayDeadLettersResponse, ReplayDeadLettersResponse__Output as _ingestion_v1_ReplayDeadLettersResponse__Output } from './ingestion/v1/ReplayDeadLettersResponse.ts';
import type { RetryIngestionRequest as _ingestion_v1_RetryIngestionRequest, RetryIngestionRequest__Output as _ingestion_v1_RetryIngestionRequest__Output } from './ingestion/v1/RetryIngestionRequest.ts';
import type { RetryIngestionResponse as _ingestion_v1_RetryIngestionResponse, RetryIngestionResponse__Output as _ingestion_v1_RetryIngestionResponse__Output } from './ingestion/v1/RetryIngestionResponse.ts';
import type { StartIngestionRequest as _ingestion_v1_StartIngestionRequest, StartIngestionRequest__Output as _ingestion_v1_StartIngestionRequest__Output } from './ingestion/v1/StartIngestionRequest.ts';
import type { StartIngestionResponse as _ingestion_v1_StartIngestionResponse, StartIngestionResponse__Output as _ingestion_v1_StartIngestionResponse__Output } from './ingestion/v1/StartIngestionResponse.ts';
import type { UploadHeader as _ingestion_v1_UploadHeader, UploadHeader__Output as _ingestion_v1_UploadHeader__Output } from './ingestion/v1/UploadHeader.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  common: {
    v1: {
      PageRequest: MessageTypeDefinition<_common_v1_PageRequest, _common_v1_PageRequest__Output>
      PageResponse: MessageTypeDefinition<_common_v1_PageResponse, _common_v1_PageResponse__Output>
    }
  }
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  ingestion: {
    v1: {
      CancelIngestionRequest: MessageTypeDefinition<_ingestion_v1_CancelIngestionRequest, _ingestion_v1_CancelIngestionRequest__Output>
      CancelIngestionResponse: MessageTypeDefinition<_ingestion_v1_CancelIngestionResponse, _ingestion_v1_CancelIngestionResponse__Output>
      GetIngestionRequest: MessageTypeDefinition<_ingestion_v1_GetIngestionRequest, _ingestion_v1_GetIngestionRequest__Output>
      GetIngestionResponse: MessageTypeDefinition<_ingestion_v1_GetIngestionResponse, _ingestion_v1_GetIngestionResponse__Output>
      IngestItemsRequest: MessageTypeDefinition<_ingestion_v1_IngestItemsRequest, _ingestion_v1_IngestItemsRequest__Output>
      IngestItemsResponse: MessageTypeDefinition<_ingestion_v1_IngestItemsResponse, _ingestion_v1_IngestItemsResponse__Output>
      /**
       * Bulk loads and file drops. Records are parsed, validated with the catalog's rules and
       * published to ingestion.record.v1, which the catalog applies; bad records go to
       * ingestion.record.dlq.v1. Every call acts within the tenant forwarded by the gateway.
       */
      IngestionService: SubtypeConstructor<typeof grpc.Client, _ingestion_v1_IngestionServiceClient> & { service: _ingestion_v1_IngestionServiceDefinition }
      Job: MessageTypeDefinition<_ingestion_v1_Job, _ingestion_v1_Job__Output>
      JobState: EnumTypeDefinition
      ListIngestionsRequest: MessageTypeDefinition<_ingestion_v1_ListIngestionsRequest, _ingestion_v1_ListIngestionsRequest__Output>
      ListIngestionsResponse: MessageTypeDefinition<_ingestion_v1_ListIngestionsResponse, _ingestion_v1_ListIngestionsResponse__Output>
      RecordError: MessageTypeDefinition<_ingestion_v1_RecordError, _ingestion_v1_RecordError__Output>
      ReplayDeadLettersRequest: MessageTypeDefinition<_ingestion_v1_ReplayDeadLettersRequest, _ingestion_v1_ReplayDeadLettersRequest__Output>
      ReplayDeadLettersResponse: MessageTypeDefinition<_ingestion_v1_ReplayDeadLettersResponse, _ingestion_v1_ReplayDeadLettersResponse__Output>
      RetryIngestionRequest: MessageTypeDefinition<_ingestion_v1_RetryIngestionRequest, _ingestion_v1_RetryIngestionRequest__Output>
      RetryIngestionResponse: MessageTypeDefinition<_ingestion_v1_RetryIngestionResponse, _ingestion_v1_RetryIngestionResponse__Output>
      StartIngestionRequest: MessageTypeDefinition<_ingestion_v1_StartIngestionRequest, _ingestion_v1_StartIngestionRequest__Output>
      StartIngestionResponse: MessageTypeDefinition<_ingestion_v1_StartIngestionResponse, _ingestion_v1_StartIngestionResponse__Output>
      UploadHeader: MessageTypeDefinition<_ingestion_v1_UploadHeader, _ingestion_v1_UploadHeader__Output>
    }
  }
}

