// Original file: catalog/v1/catalog_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BatchGetItemsRequest as _catalog_v1_BatchGetItemsRequest, BatchGetItemsRequest__Output as _catalog_v1_BatchGetItemsRequest__Output } from '../../catalog/v1/BatchGetItemsRequest.ts';
import type { BatchGetItemsResponse as _catalog_v1_BatchGetItemsResponse, BatchGetItemsResponse__Output as _catalog_v1_BatchGetItemsResponse__Output } from '../../catalog/v1/BatchGetItemsResponse.ts';
import type { CreateItemRequest as _catalog_v1_CreateItemRequest, CreateItemRequest__Output as _catalog_v1_CreateItemRequest__Output } from '../../catalog/v1/CreateItemRequest.ts';
import type { CreateItemResponse as _catalog_v1_CreateItemResponse, CreateItemResponse__Output as _catalog_v1_CreateItemResponse__Output } from '../../catalog/v1/CreateItemResponse.ts';
import type { DeleteItemRequest as _catalog_v1_DeleteItemRequest, DeleteItemRequest__Output as _catalog_v1_DeleteItemRequest__Output } from '../../catalog/v1/DeleteItemRequest.ts';
import type { DeleteItemResponse as _catalog_v1_DeleteItemResponse, DeleteItemResponse__Output as _catalog_v1_DeleteItemResponse__Output } from '../../catalog/v1/DeleteItemResponse.ts';
import type { GetItemRequest as _catalog_v1_GetItemRequest, GetItemRequest__Output as _catalog_v1_GetItemRequest__Output } from '../../catalog/v1/GetItemRequest.ts';
import type { GetItemResponse as _catalog_v1_GetItemResponse, GetItemResponse__Output as _catalog_v1_GetItemResponse__Output } from '../../catalog/v1/GetItemResponse.ts';
import type { ListPriceChangesRequest as _catalog_v1_ListPriceChangesRequest, ListPriceChangesRequest__Output as _catalog_v1_ListPriceChangesRequest__Output } from '../../catalog/v1/ListPriceChangesRequest.ts';
import type { ListPriceChangesResponse as _catalog_v1_ListPriceChangesResponse, ListPriceChangesResponse__Output as _catalog_v1_ListPriceChangesResponse__Output } from '../../catalog/v1/ListPriceChangesResponse.ts';
import type { ListPriceHistoryRequest as _catalog_v1_ListPriceHistoryRequest, ListPriceHistoryRequest__Output as _catalog_v1_ListPriceHistoryRequest__Output } from '../../catalog/v1/ListPriceHistoryRequest.ts';
import type { ListPriceHistoryResponse as _catalog_v1_ListPriceHistoryResponse, ListPriceHistoryResponse__Output as _catalog_v1_ListPriceHistoryResponse__Output } from '../../catalog/v1/ListPriceHistoryResponse.ts';
import type { RepublishItemsRequest as _catalog_v1_RepublishItemsRequest, RepublishItemsRequest__Output as _catalog_v1_RepublishItemsRequest__Output } from '../../catalog/v1/RepublishItemsRequest.ts';
import type { RepublishItemsResponse as _catalog_v1_RepublishItemsResponse, RepublishItemsResponse__Output as _catalog_v1_RepublishItemsResponse__Output } from '../../catalog/v1/RepublishItemsResponse.ts';
import type { SummarizePriceHistoryRequest as _catalog_v1_SummarizePriceHistoryRequest, SummarizePriceHistoryRequest__Output as _catalog_v1_SummarizePriceHistoryRequest__Output } from '../../catalog/v1/SummarizePriceHistoryRequest.ts';
import type { SummarizePriceHistoryResponse as _catalog_v1_SummarizePriceHistoryResponse, SummarizePriceHistoryResponse__Output as _catalog_v1_SummarizePriceHistoryResponse__Output } from '../../catalog/v1/SummarizePriceHistoryResponse.ts';
import type { UpdateItemRequest as _catalog_v1_UpdateItemRequest, UpdateItemRequest__Output as _catalog_v1_UpdateItemRequest__Output } from '../../catalog/v1/UpdateItemRequest.ts';
import type { UpdateItemResponse as _catalog_v1_UpdateItemResponse, UpdateItemResponse__Output as _catalog_v1_UpdateItemResponse__Output } from '../../catalog/v1/UpdateItemResponse.ts';
import type { UpsertItemRequest as _catalog_v1_UpsertItemRequest, UpsertItemRequest__Output as _catalog_v1_UpsertItemRequest__Output } from '../../catalog/v1/UpsertItemRequest.ts';
import type { UpsertItemResponse as _catalog_v1_UpsertItemResponse, UpsertItemResponse__Output as _catalog_v1_UpsertItemResponse__Output } from '../../catalog/v1/UpsertItemResponse.ts';

/**
 * The source of truth for items and their price history. Every call acts within the tenant
 * forwarded by the gateway; ids of other tenants' items answer NOT_FOUND.
 */
export interface CatalogServiceClient extends grpc.Client {
  BatchGetItems(argument: _catalog_v1_BatchGetItemsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_BatchGetItemsResponse__Output>): grpc.ClientUnaryCall;
  BatchGetItems(argument: _catalog_v1_BatchGetItemsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_BatchGetItemsResponse__Output>): grpc.ClientUnaryCall;
  BatchGetItems(argument: _catalog_v1_BatchGetItemsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_BatchGetItemsResponse__Output>): grpc.ClientUnaryCall;
  BatchGetItems(argument: _catalog_v1_BatchGetItemsRequest, callback: grpc.requestCallback<_catalog_v1_BatchGetItemsResponse__Output>): grpc.ClientUnaryCall;
  batchGetItems(argument: _catalog_v1_BatchGetItemsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_BatchGetItemsResponse__Output>): grpc.ClientUnaryCall;
  batchGetItems(argument: _catalog_v1_BatchGetItemsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_BatchGetItemsResponse__Output>): grpc.ClientUnaryCall;
  batchGetItems(argument: _catalog_v1_BatchGetItemsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_BatchGetItemsResponse__Output>): grpc.ClientUnaryCall;
  batchGetItems(argument: _catalog_v1_BatchGetItemsRequest, callback: grpc.requestCallback<_catalog_v1_BatchGetItemsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Fails with ALREADY_EXISTS when a live item has the same (source, external_id).
   */
  CreateItem(argument: _catalog_v1_CreateItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_CreateItemResponse__Output>): grpc.ClientUnaryCall;
  CreateItem(argument: _catalog_v1_CreateItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_CreateItemResponse__Output>): grpc.ClientUnaryCall;
  CreateItem(argument: _catalog_v1_CreateItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_CreateItemResponse__Output>): grpc.ClientUnaryCall;
  CreateItem(argument: _catalog_v1_CreateItemRequest, callback: grpc.requestCallback<_catalog_v1_CreateItemResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Fails with ALREADY_EXISTS when a live item has the same (source, external_id).
   */
  createItem(argument: _catalog_v1_CreateItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_CreateItemResponse__Output>): grpc.ClientUnaryCall;
  createItem(argument: _catalog_v1_CreateItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_CreateItemResponse__Output>): grpc.ClientUnaryCall;
  createItem(argument: _catalog_v1_CreateItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_CreateItemResponse__Output>): grpc.ClientUnaryCall;
  createItem(argument: _catalog_v1_CreateItemRequest, callback: grpc.requestCallback<_catalog_v1_CreateItemResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteItem(argument: _catalog_v1_DeleteItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_DeleteItemResponse__Output>): grpc.ClientUnaryCall;
  DeleteItem(argument: _catalog_v1_DeleteItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_DeleteItemResponse__Output>): grpc.ClientUnaryCall;
  DeleteItem(argument: _catalog_v1_DeleteItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_DeleteItemResponse__Output>): grpc.ClientUnaryCall;
  DeleteItem(argument: _catalog_v1_DeleteItemRequest, callback: grpc.requestCallback<_catalog_v1_DeleteItemResponse__Output>): grpc.ClientUnaryCall;
  deleteItem(argument: _catalog_v1_DeleteItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_DeleteItemResponse__Output>): grpc.ClientUnaryCall;
  deleteItem(argument: _catalog_v1_DeleteItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_DeleteItemResponse__Output>): grpc.ClientUnaryCall;
  deleteItem(argument: _catalog_v1_DeleteItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_DeleteItemResponse__Output>): grpc.ClientUnaryCall;
  deleteItem(argument: _catalog_v1_DeleteItemRequest, callback: grpc.requestCallback<_catalog_v1_DeleteItemResponse__Output>): grpc.ClientUnaryCall;
  
  GetItem(argument: _catalog_v1_GetItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_GetItemResponse__Output>): grpc.ClientUnaryCall;
  GetItem(argument: _catalog_v1_GetItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_GetItemResponse__Output>): grpc.ClientUnaryCall;
  GetItem(argument: _catalog_v1_GetItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_GetItemResponse__Output>): grpc.ClientUnaryCall;
  GetItem(argument: _catalog_v1_GetItemRequest, callback: grpc.requestCallback<_catalog_v1_GetItemResponse__Output>): grpc.ClientUnaryCall;
  getItem(argument: _catalog_v1_GetItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_GetItemResponse__Output>): grpc.ClientUnaryCall;
  getItem(argument: _catalog_v1_GetItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_GetItemResponse__Output>): grpc.ClientUnaryCall;
  getItem(argument: _catalog_v1_GetItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_GetItemResponse__Output>): grpc.ClientUnaryCall;
  getItem(argument: _catalog_v1_GetItemRequest, callback: grpc.requestCallback<_catalog_v1_GetItemResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The tenant's price changes in a window, newest first, each with the price before it.
   */
  ListPriceChanges(argument: _catalog_v1_ListPriceChangesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_ListPriceChangesResponse__Output>): grpc.ClientUnaryCall;
  ListPriceChanges(argument: _catalog_v1_ListPriceChangesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_ListPriceChangesResponse__Output>): grpc.ClientUnaryCall;
  ListPriceChanges(argument: _catalog_v1_ListPriceChangesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_ListPriceChangesResponse__Output>): grpc.ClientUnaryCall;
  ListPriceChanges(argument: _catalog_v1_ListPriceChangesRequest, callback: grpc.requestCallback<_catalog_v1_ListPriceChangesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The tenant's price changes in a window, newest first, each with the price before it.
   */
  listPriceChanges(argument: _catalog_v1_ListPriceChangesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_ListPriceChangesResponse__Output>): grpc.ClientUnaryCall;
  listPriceChanges(argument: _catalog_v1_ListPriceChangesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_ListPriceChangesResponse__Output>): grpc.ClientUnaryCall;
  listPriceChanges(argument: _catalog_v1_ListPriceChangesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_ListPriceChangesResponse__Output>): grpc.ClientUnaryCall;
  listPriceChanges(argument: _catalog_v1_ListPriceChangesRequest, callback: grpc.requestCallback<_catalog_v1_ListPriceChangesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Newest first by version; with a window or an order, by change time (then version).
   */
  ListPriceHistory(argument: _catalog_v1_ListPriceHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_ListPriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  ListPriceHistory(argument: _catalog_v1_ListPriceHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_ListPriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  ListPriceHistory(argument: _catalog_v1_ListPriceHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_ListPriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  ListPriceHistory(argument: _catalog_v1_ListPriceHistoryRequest, callback: grpc.requestCallback<_catalog_v1_ListPriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Newest first by version; with a window or an order, by change time (then version).
   */
  listPriceHistory(argument: _catalog_v1_ListPriceHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_ListPriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  listPriceHistory(argument: _catalog_v1_ListPriceHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_ListPriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  listPriceHistory(argument: _catalog_v1_ListPriceHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_ListPriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  listPriceHistory(argument: _catalog_v1_ListPriceHistoryRequest, callback: grpc.requestCallback<_catalog_v1_ListPriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Publishes item.upserted again for a page of the tenant's live items (by id), marked
   * `republished`, so every reader of catalog.item.v1 can rebuild its view: a new search engine,
   * or an index after a release that reads more of the event. Nothing changes in the catalog.
   */
  RepublishItems(argument: _catalog_v1_RepublishItemsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_RepublishItemsResponse__Output>): grpc.ClientUnaryCall;
  RepublishItems(argument: _catalog_v1_RepublishItemsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_RepublishItemsResponse__Output>): grpc.ClientUnaryCall;
  RepublishItems(argument: _catalog_v1_RepublishItemsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_RepublishItemsResponse__Output>): grpc.ClientUnaryCall;
  RepublishItems(argument: _catalog_v1_RepublishItemsRequest, callback: grpc.requestCallback<_catalog_v1_RepublishItemsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Publishes item.upserted again for a page of the tenant's live items (by id), marked
   * `republished`, so every reader of catalog.item.v1 can rebuild its view: a new search engine,
   * or an index after a release that reads more of the event. Nothing changes in the catalog.
   */
  republishItems(argument: _catalog_v1_RepublishItemsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_RepublishItemsResponse__Output>): grpc.ClientUnaryCall;
  republishItems(argument: _catalog_v1_RepublishItemsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_RepublishItemsResponse__Output>): grpc.ClientUnaryCall;
  republishItems(argument: _catalog_v1_RepublishItemsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_RepublishItemsResponse__Output>): grpc.ClientUnaryCall;
  republishItems(argument: _catalog_v1_RepublishItemsRequest, callback: grpc.requestCallback<_catalog_v1_RepublishItemsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * An item's prices in a window as buckets of a day, a week or a month (UTC), one series per
   * run of one currency.
   */
  SummarizePriceHistory(argument: _catalog_v1_SummarizePriceHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_SummarizePriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  SummarizePriceHistory(argument: _catalog_v1_SummarizePriceHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_SummarizePriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  SummarizePriceHistory(argument: _catalog_v1_SummarizePriceHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_SummarizePriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  SummarizePriceHistory(argument: _catalog_v1_SummarizePriceHistoryRequest, callback: grpc.requestCallback<_catalog_v1_SummarizePriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  /**
   * An item's prices in a window as buckets of a day, a week or a month (UTC), one series per
   * run of one currency.
   */
  summarizePriceHistory(argument: _catalog_v1_SummarizePriceHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_SummarizePriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  summarizePriceHistory(argument: _catalog_v1_SummarizePriceHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_SummarizePriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  summarizePriceHistory(argument: _catalog_v1_SummarizePriceHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_SummarizePriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  summarizePriceHistory(argument: _catalog_v1_SummarizePriceHistoryRequest, callback: grpc.requestCallback<_catalog_v1_SummarizePriceHistoryResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Fails with ABORTED when expected_version is set and stale.
   */
  UpdateItem(argument: _catalog_v1_UpdateItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_UpdateItemResponse__Output>): grpc.ClientUnaryCall;
  UpdateItem(argument: _catalog_v1_UpdateItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_UpdateItemResponse__Output>): grpc.ClientUnaryCall;
  UpdateItem(argument: _catalog_v1_UpdateItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_UpdateItemResponse__Output>): grpc.ClientUnaryCall;
  UpdateItem(argument: _catalog_v1_UpdateItemRequest, callback: grpc.requestCallback<_catalog_v1_UpdateItemResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Fails with ABORTED when expected_version is set and stale.
   */
  updateItem(argument: _catalog_v1_UpdateItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_UpdateItemResponse__Output>): grpc.ClientUnaryCall;
  updateItem(argument: _catalog_v1_UpdateItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_UpdateItemResponse__Output>): grpc.ClientUnaryCall;
  updateItem(argument: _catalog_v1_UpdateItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_UpdateItemResponse__Output>): grpc.ClientUnaryCall;
  updateItem(argument: _catalog_v1_UpdateItemRequest, callback: grpc.requestCallback<_catalog_v1_UpdateItemResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Creates or replaces the item of a natural key; a write that changes nothing keeps the version.
   */
  UpsertItem(argument: _catalog_v1_UpsertItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_UpsertItemResponse__Output>): grpc.ClientUnaryCall;
  UpsertItem(argument: _catalog_v1_UpsertItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_UpsertItemResponse__Output>): grpc.ClientUnaryCall;
  UpsertItem(argument: _catalog_v1_UpsertItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_UpsertItemResponse__Output>): grpc.ClientUnaryCall;
  UpsertItem(argument: _catalog_v1_UpsertItemRequest, callback: grpc.requestCallback<_catalog_v1_UpsertItemResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Creates or replaces the item of a natural key; a write that changes nothing keeps the version.
   */
  upsertItem(argument: _catalog_v1_UpsertItemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_UpsertItemResponse__Output>): grpc.ClientUnaryCall;
  upsertItem(argument: _catalog_v1_UpsertItemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_catalog_v1_UpsertItemResponse__Output>): grpc.ClientUnaryCall;
  upsertItem(argument: _catalog_v1_UpsertItemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_catalog_v1_UpsertItemResponse__Output>): grpc.ClientUnaryCall;
  upsertItem(argument: _catalog_v1_UpsertItemRequest, callback: grpc.requestCallback<_catalog_v1_UpsertItemResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The source of truth for items and their price history. Every call acts within the tenant
 * forwarded by the gateway; ids of other tenants' items answer NOT_FOUND.
 */
export interface CatalogServiceHandlers extends grpc.UntypedServiceImplementation {
  BatchGetItems: grpc.handleUnaryCall<_catalog_v1_BatchGetItemsRequest__Output, _catalog_v1_BatchGetItemsResponse>;
  
  /**
   * Fails with ALREADY_EXISTS when a live item has the same (source, external_id).
   */
  CreateItem: grpc.handleUnaryCall<_catalog_v1_CreateItemRequest__Output, _catalog_v1_CreateItemResponse>;
  
  DeleteItem: grpc.handleUnaryCall<_catalog_v1_DeleteItemRequest__Output, _catalog_v1_DeleteItemResponse>;
  
  GetItem: grpc.handleUnaryCall<_catalog_v1_GetItemRequest__Output, _catalog_v1_GetItemResponse>;
  
  /**
   * The tenant's price changes in a window, newest first, each with the price before it.
   */
  ListPriceChanges: grpc.handleUnaryCall<_catalog_v1_ListPriceChangesRequest__Output, _catalog_v1_ListPriceChangesResponse>;
  
  /**
   * Newest first by version; with a window or an order, by change time (then version).
   */
  ListPriceHistory: grpc.handleUnaryCall<_catalog_v1_ListPriceHistoryRequest__Output, _catalog_v1_ListPriceHistoryResponse>;
  
  /**
   * Publishes item.upserted again for a page of the tenant's live items (by id), marked
   * `republished`, so every reader of catalog.item.v1 can rebuild its view: a new search engine,
   * or an index after a release that reads more of the event. Nothing changes in the catalog.
   */
  RepublishItems: grpc.handleUnaryCall<_catalog_v1_RepublishItemsRequest__Output, _catalog_v1_RepublishItemsResponse>;
  
  /**
   * An item's prices in a window as buckets of a day, a week or a month (UTC), one series per
   * run of one currency.
   */
  SummarizePriceHistory: grpc.handleUnaryCall<_catalog_v1_SummarizePriceHistoryRequest__Output, _catalog_v1_SummarizePriceHistoryResponse>;
  
  /**
   * Fails with ABORTED when expected_version is set and stale.
   */
  UpdateItem: grpc.handleUnaryCall<_catalog_v1_UpdateItemRequest__Output, _catalog_v1_UpdateItemResponse>;
  
  /**
   * Creates or replaces the item of a natural key; a write that changes nothing keeps the version.
   */
  UpsertItem: grpc.handleUnaryCall<_catalog_v1_UpsertItemRequest__Output, _catalog_v1_UpsertItemResponse>;
  
}

export interface CatalogServiceDefinition extends grpc.ServiceDefinition {
  BatchGetItems: MethodDefinition<_catalog_v1_BatchGetItemsRequest, _catalog_v1_BatchGetItemsResponse, _catalog_v1_BatchGetItemsRequest__Output, _catalog_v1_BatchGetItemsResponse__Output>
  CreateItem: MethodDefinition<_catalog_v1_CreateItemRequest, _catalog_v1_CreateItemResponse, _catalog_v1_CreateItemRequest__Output, _catalog_v1_CreateItemResponse__Output>
  DeleteItem: MethodDefinition<_catalog_v1_DeleteItemRequest, _catalog_v1_DeleteItemResponse, _catalog_v1_DeleteItemRequest__Output, _catalog_v1_DeleteItemResponse__Output>
  GetItem: MethodDefinition<_catalog_v1_GetItemRequest, _catalog_v1_GetItemResponse, _catalog_v1_GetItemRequest__Output, _catalog_v1_GetItemResponse__Output>
  ListPriceChanges: MethodDefinition<_catalog_v1_ListPriceChangesRequest, _catalog_v1_ListPriceChangesResponse, _catalog_v1_ListPriceChangesRequest__Output, _catalog_v1_ListPriceChangesResponse__Output>
  ListPriceHistory: MethodDefinition<_catalog_v1_ListPriceHistoryRequest, _catalog_v1_ListPriceHistoryResponse, _catalog_v1_ListPriceHistoryRequest__Output, _catalog_v1_ListPriceHistoryResponse__Output>
  RepublishItems: MethodDefinition<_catalog_v1_RepublishItemsRequest, _catalog_v1_RepublishItemsResponse, _catalog_v1_RepublishItemsRequest__Output, _catalog_v1_RepublishItemsResponse__Output>
  SummarizePriceHistory: MethodDefinition<_catalog_v1_SummarizePriceHistoryRequest, _catalog_v1_SummarizePriceHistoryResponse, _catalog_v1_SummarizePriceHistoryRequest__Output, _catalog_v1_SummarizePriceHistoryResponse__Output>
  UpdateItem: MethodDefinition<_catalog_v1_UpdateItemRequest, _catalog_v1_UpdateItemResponse, _catalog_v1_UpdateItemRequest__Output, _catalog_v1_UpdateItemResponse__Output>
  UpsertItem: MethodDefinition<_catalog_v1_UpsertItemRequest, _catalog_v1_UpsertItemResponse, _catalog_v1_UpsertItemRequest__Output, _catalog_v1_UpsertItemResponse__Output>
}
