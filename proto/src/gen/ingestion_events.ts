import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Item as _catalog_v1_Item, Item__Output as _catalog_v1_Item__Output } from './catalog/v1/Item.ts';
import type { ItemFields as _catalog_v1_ItemFields, ItemFields__Output as _catalog_v1_ItemFields__Output } from './catalog/v1/ItemFields.ts';
import type { PricePoint as _catalog_v1_PricePoint, PricePoint__Output as _catalog_v1_PricePoint__Output } from './catalog/v1/PricePoint.ts';
import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from './common/v1/Money.ts';
import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue.ts';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value.ts';
import type { Job as _ingestion_v1_Job, Job__Output as _ingestion_v1_Job__Output } from './ingestion/v1/Job.ts';
import type { JobChanged as _ingestion_v1_JobChanged, JobChanged__Output as _ingestion_v1_JobChanged__Output } from './ingestion/v1/JobChanged.ts';
import type { RecordError as _ingestion_v1_RecordError, RecordError__Output as _ingestion_v1_RecordError__Output } from './ingestion/v1/RecordError.ts';
import type { RecordRejected as _ingestion_v1_RecordRejected, RecordRejected__Output as _ingestion_v1_RecordRejected__Output } from './ingestion/v1/RecordRejected.ts';
import type { RecordSubmitted as _ingestion_v1_RecordSubmitted, RecordSubmitted__Output as _ingestion_v1_RecordSubmitted__Output } from './ingestion/v1/RecordSubmitted.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  catalog: {
    v1: {
      Item: MessageTypeDefinition<_catalog_v1_Item, _catalog_v1_Item__Output>
      ItemFields: MessageTypeDefinition<_catalog_v1_ItemFields, _catalog_v1_ItemFields__Output>
      PricePoint: MessageTypeDefinition<_catalog_v1_PricePoint, _catalog_v1_PricePoint__Output>
    }
  }
  common: {
    v1: {
      Money: MessageTypeDefinition<_common_v1_Money, _common_v1_Money__Output>
    }
  }
  google: {
    protobuf: {
      ListValue: MessageTypeDefinition<_google_protobuf_ListValue, _google_protobuf_ListValue__Output>
      NullValue: EnumTypeDefinition
      Struct: MessageTypeDefinition<_google_protobuf_Struct, _google_protobuf_Struct__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
      Value: MessageTypeDefinition<_google_protobuf_Value, _google_protobuf_Value__Output>
    }
  }
  ingestion: {
    v1: {
      Job: MessageTypeDefinition<_ingestion_v1_Job, _ingestion_v1_Job__Output>
      JobChanged: MessageTypeDefinition<_ingestion_v1_JobChanged, _ingestion_v1_JobChanged__Output>
      JobState: EnumTypeDefinition
      RecordError: MessageTypeDefinition<_ingestion_v1_RecordError, _ingestion_v1_RecordError__Output>
      RecordRejected: MessageTypeDefinition<_ingestion_v1_RecordRejected, _ingestion_v1_RecordRejected__Output>
      RecordSubmitted: MessageTypeDefinition<_ingestion_v1_RecordSubmitted, _ingestion_v1_RecordSubmitted__Output>
    }
  }
}

