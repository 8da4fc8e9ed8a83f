import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from './ingestion/v1/Job.ts';
import type { RecordError as _ingestion_v1_RecordError, RecordError__Output as _ingestion_v1_RecordError__Output } from './ingestion/v1/RecordError.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  ingestion: {
    v1: {
      Job: MessageTypeDefinition<_ingestion_v1_Job, _ingestion_v1_Job__Output>
      JobState: EnumTypeDefinition
      RecordError: MessageTypeDefinition<_ingestion_v1_RecordError, _ingestion_v1_RecordError__Output>
    }
  }
}

