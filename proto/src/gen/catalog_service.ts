import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BatchGetItemsRequest as _catalog_v1_BatchGetItemsRequest, BatchGetItemsRequest__Output as _catalog_v1_BatchGetItemsRequest__Output } from './catalog/v1/BatchGetItemsRequest.ts';
import type { BatchGetItemsResponse as _catalog_v1_BatchGetItemsResponse, BatchGetItemsResponse__Output as _catalog_v1_BatchGetItemsResponse__Output } from './catalog/v1/BatchGetItemsResponse.ts';
import type { CatalogServiceClient as _catalog_v1_CatalogServiceClient, CatalogServiceDefinition as _catalog_v1_CatalogServiceDefinition } from './catalog/v1/CatalogService.ts';
import type { CreateItemRequest as _catalog_v1_CreateItemRequest, CreateItemRequest__Output as _catalog_v1_CreateItemRequest__Output } from './catalog/v1/CreateItemRequest.ts';
import type { CreateItemResponse as _catalog_v1_CreateItemResponse, CreateItemResponse__Output as _catalog_v1_CreateItemResponse__Output } from './catalog/v1/CreateItemResponse.ts';
import type { DeleteItemRequest as _catalog_v1_DeleteItemRequest, DeleteItemRequest__Output as _catalog_v1_DeleteItemRequest__Output } from './catalog/v1/DeleteItemRequest.ts';
import type { DeleteItemResponse as _catalog_v1_DeleteItemResponse, DeleteItemResponse__Output as _catalog_v1_DeleteItemResponse__Output } from './catalog/v1/DeleteItemResponse.ts';
import type { GetItemRequest as _catalog_v1_GetItemRequest, GetItemRequest__Output as _catalog_v1_GetItemRequest__Output } from './catalog/v1/GetItemRequest.ts';
import type { GetItemResponse as _catalog_v1_GetItemResponse, GetItemResponse__Output as _catalog_v1_GetItemResponse__Output } from './catalog/v1/GetItemResponse.ts';
import type { Item as _catalog_v1_Item, Item__Output as _catalog_v1_Item__Output } from './catalog/v1/Item.ts';
import type { ItemFields as _catalog_v1_ItemFields, ItemFields__Output as _catalog_v1_ItemFields__Output } from './catalog/v1/ItemFields.ts';
import type { ListPriceChangesRequest as _catalog_v1_ListPriceChangesRequest, ListPriceChangesRequest__Output as _catalog_v1_ListPriceChangesRequest__Output } from './catalog/v1/ListPriceChangesRequest.ts';
import type { ListPriceChangesResponse as _catalog_v1_ListPriceChangesResponse, ListPriceChangesResponse__Output as _catalog_v1_ListPriceChangesResponse__Output } from './catalog/v1/ListPriceChangesResponse.ts';
import type { ListPriceHistoryRequest as _catalog_v1_ListPriceHistoryRequest, ListPriceHistoryRequest__Output as _catalog_v1_ListPriceHistoryRequest__Output } from './catalog/v1/ListPriceHistoryRequest.ts';
import type { ListPriceHistoryResponse as _catalog_v1_ListPriceHistoryResponse, ListPriceHistoryResponse__Output as _catalog_v1_ListPriceHistoryResponse__Output } from './catalog/v1/ListPriceHistoryResponse.ts';
import type { PriceBucket as _catalog_v1_PriceBucket, PriceBucket__Output as _catalog_v1_PriceBucket__Output } from './catalog/v1/PriceBucket.ts';
import type { PriceChange as _catalog_v1_PriceChange, PriceChange__Output as _catalog_v1_PriceChange__Output } from './catalog/v1/PriceChange.ts';
import type { PricePoint as _catalog_v1_PricePoint, PricePoint__Output as _catalog_v1_PricePoint__Output } from './catalog/v1/PricePoint.ts';
import type { PriceSeries as _catalog_v1_PriceSeries, PriceSeries__Output as _catalog_v1_PriceSeries__Output } from './catalog/v1/PriceSeries.ts';
import type { RepublishItemsRequest as _catalog_v1_RepublishItemsRequest, RepublishItemsRequest__Output as _catalog_v1_RepublishItemsRequest__Output } from './catalog/v1/RepublishItemsRequest.ts';
import type { RepublishItemsResponse as _catalog_v1_RepublishItemsResponse, RepublishItemsResponse__Output as _catalog_v1_RepublishItemsResponse__Output } from './catalog/v1/RepublishItemsResponse.ts';
import type { SummarizePriceHistoryRequest as _catalog_v1_SummarizePriceHistoryRequest, SummarizePriceHistoryRequest__Output as _catalog_v1_SummarizePriceHistoryRequest__Output } from './catalog/v1/SummarizePriceHistoryRequest.ts';
import type { SummarizePriceHistoryResponse as _catalog_v1_SummarizePriceHistoryResponse, SummarizePriceHistoryResponse__Output as _catalog_v1_SummarizePriceHistoryResponse__Output } from './catalog/v1/SummarizePriceHistoryResponse.ts';
import type { UpdateItemRequest as _catalog_v1_UpdateItemRequest, UpdateItemRequest__Output as _catalog_v1_UpdateItemRequest__Output } from './catalog/v1/UpdateItemRequest.ts';
import type { UpdateItemResponse as _catalog_v1_UpdateItemResponse, UpdateItemResponse__Output as _catalog_v1_UpdateItemResponse__Output } from './catalog/v1/UpdateItemResponse.ts';
import type { UpsertItemRequest as _catalog_v1_UpsertItemRequest, UpsertItemRequest__Output as _catalog_v1_UpsertItemRequest__Output } from './catalog/v1/UpsertItemRequest.ts';
import type { UpsertItemResponse as _catalog_v1_UpsertItemResponse, UpsertItemResponse__Output as _catalog_v1_UpsertItemResponse__Output } from './catalog/v1/UpsertItemResponse.ts';
import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from './common/v1/Money.ts';
import type { PageRequest as _common_v1_PageRequest, PageRequest__Output as _common_v1_PageRequest__Output } from './common/v1/PageRequest.ts';
import type { PageResponse as _common_v1_PageResponse, PageResponse__Output as _common_v1_PageResponse__Output } from './common/v1/PageResponse.ts';
import type { FieldMask as _google_protobuf_FieldMask, FieldMask__Output as _google_protobuf_FieldMask__Output } from './google/protobuf/FieldMask.ts';
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
      BatchGetItemsRequest: MessageTypeDefinition<_catalog_v1_BatchGetItemsRequest, _catalog_v1_BatchGetItemsRequest__Output>
      BatchGetItemsResponse: MessageTypeDefinition<_catalog_v1_BatchGetItemsResponse, _catalog_v1_BatchGetItemsResponse__Output>
      /**
       * The source of truth for items and their price history. Every call acts within the tenant
       * forwarded by the gateway; ids of other tenants' items answer NOT_FOUND.
       */
      CatalogService: SubtypeConstructor<typeof grpc.Client, _catalog_v1_CatalogServiceClient> & { service: _catalog_v1_CatalogServiceDefinition }
      CreateItemRequest: MessageTypeDefinition<_catalog_v1_CreateItemRequest, _catalog_v1_CreateItemRequest__Output>
      CreateItemResponse: MessageTypeDefinition<_catalog_v1_CreateItemResponse, _catalog_v1_CreateItemResponse__Output>
      DeleteItemRequest: MessageTypeDefinition<_catalog_v1_DeleteItemRequest, _catalog_v1_DeleteItemRequest__Output>
      DeleteItemResponse: MessageTypeDefinition<_catalog_v1_DeleteItemResponse, _catalog_v1_DeleteItemResponse__Output>
      GetItemRequest: MessageTypeDefinition<_catalog_v1_GetItemRequest, _catalog_v1_GetItemRequest__Output>
      GetItemResponse: MessageTypeDefinition<_catalog_v1_GetItemResponse, _catalog_v1_GetItemResponse__Output>
      Item: MessageTypeDefinition<_catalog_v1_Item, _catalog_v1_Item__Output>
      ItemFields: MessageTypeDefinition<_catalog_v1_ItemFields, _catalog_v1_ItemFields__Output>
      ListPriceChangesRequest: MessageTypeDefinition<_catalog_v1_ListPriceChangesRequest, _catalog_v1_ListPriceChangesRequest__Output>
      ListPriceChangesResponse: MessageTypeDefinition<_catalog_v1_ListPriceChangesResponse, _catalog_v1_ListPriceChangesResponse__Output>
      ListPriceHistoryRequest: MessageTypeDefinition<_catalog_v1_ListPriceHistoryRequest, _catalog_v1_ListPriceHistoryRequest__Output>
      ListPriceHistoryResponse: MessageTypeDefinition<_catalog_v1_ListPriceHistoryResponse, _catalog_v1_ListPriceHistoryResponse__Output>
      PriceBucket: MessageTypeDefinition<_catalog_v1_PriceBucket, _catalog_v1_PriceBucket__Output>
      PriceChange: MessageTypeDefinition<_catalog_v1_PriceChange, _catalog_v1_PriceChange__Output>
      PriceDirection: EnumTypeDefinition
      PriceInterval: EnumTypeDefinition
      PriceOrder: EnumTypeDefinition
      PricePoint: MessageTypeDefinition<_catalog_v1_PricePoint, _catalog_v1_PricePoint__Output>
      PriceSeries: MessageTypeDefinition<_catalog_v1_PriceSeries, _catalog_v1_PriceSeries__Output>
      RepublishItemsRequest: MessageTypeDefinition<_catalog_v1_RepublishItemsRequest, _catalog_v1_RepublishItemsRequest__Output>
      RepublishItemsResponse: MessageTypeDefinition<_catalog_v1_RepublishItemsResponse, _catalog_v1_RepublishItemsResponse__Output>
      SummarizePriceHistoryRequest: MessageTypeDefinition<_catalog_v1_SummarizePriceHistoryRequest, _catalog_v1_SummarizePriceHistoryRequest__Output>
      SummarizePriceHistoryResponse: MessageTypeDefinition<_catalog_v1_SummarizePriceHistoryResponse, _catalog_v1_SummarizePriceHistoryResponse__Output>
      UpdateItemRequest: MessageTypeDefinition<_catalog_v1_UpdateItemRequest, _catalog_v1_UpdateItemRequest__Output>
      UpdateItemResponse: MessageTypeDefinition<_catalog_v1_UpdateItemResponse, _catalog_v1_UpdateItemResponse__Output>
      UpsertItemRequest: MessageTypeDefinition<_catalog_v1_UpsertItemRequest, _catalog_v1_UpsertItemRequest__Output>
      UpsertItemResponse: MessageTypeDefinition<_catalog_v1_UpsertItemResponse, _catalog_v1_UpsertItemResponse__Output>
    }
  }
  common: {
    v1: {
      Money: MessageTypeDefinition<_common_v1_Money, _common_v1_Money__Output>
      PageRequest: MessageTypeDefinition<_common_v1_PageRequest, _common_v1_PageRequest__Output>
      PageResponse: MessageTypeDefinition<_common_v1_PageResponse, _common_v1_PageResponse__Output>
    }
  }
  google: {
    protobuf: {
      FieldMask: MessageTypeDefinition<_google_protobuf_FieldMask, _google_protobuf_FieldMask__Output>
      ListValue: MessageTypeDefinition<_google_protobuf_ListValue, _google_protobuf_ListValue__Output>
      NullValue: EnumTypeDefinition
      Struct: MessageTypeDefinition<_google_protobuf_Struct, _google_protobuf_Struct__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
      Value: MessageTypeDefinition<_google_protobuf_Value, _google_protobuf_Value__Output>
    }
  }
}

