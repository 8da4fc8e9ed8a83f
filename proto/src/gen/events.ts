import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { IngestApplied as _catalog_v1_IngestApplied, IngestApplied__Output as _catalog_v1_IngestApplied__Output } from './catalog/v1/IngestApplied.ts';
import type { Item as _catalog_v1_Item, Item__Output as _catalog_v1_Item__Output } from './catalog/v1/Item.ts';
import type { ItemDeleted as _catalog_v1_ItemDeleted, ItemDeleted__Output as _catalog_v1_ItemDeleted__Output } from './catalog/v1/ItemDeleted.ts';
import type { ItemFields as _catalog_v1_ItemFields, ItemFields__Output as _catalog_v1_ItemFields__Output } from './catalog/v1/ItemFields.ts';
import type { ItemUpserted as _catalog_v1_ItemUpserted, ItemUpserted__Output as _catalog_v1_ItemUpserted__Output } from './catalog/v1/ItemUpserted.ts';
import type { PriceChanged as _catalog_v1_PriceChanged, PriceChanged__Output as _catalog_v1_PriceChanged__Output } from './catalog/v1/PriceChanged.ts';
import type { PricePoint as _catalog_v1_PricePoint, PricePoint__Output as _catalog_v1_PricePoint__Output } from './catalog/v1/PricePoint.ts';
import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from './common/v1/Money.ts';
import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue.ts';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  catalog: {
    v1: {
      IngestApplied: MessageTypeDefinition<_catalog_v1_IngestApplied, _catalog_v1_IngestApplied__Output>
      Item: MessageTypeDefinition<_catalog_v1_Item, _catalog_v1_Item__Output>
      ItemDeleted: MessageTypeDefinition<_catalog_v1_ItemDeleted, _catalog_v1_ItemDeleted__Output>
      ItemFields: MessageTypeDefinition<_catalog_v1_ItemFields, _catalog_v1_ItemFields__Output>
      ItemUpserted: MessageTypeDefinition<_catalog_v1_ItemUpserted, _catalog_v1_ItemUpserted__Output>
      PriceChanged: MessageTypeDefinition<_catalog_v1_PriceChanged, _catalog_v1_PriceChanged__Output>
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
}

