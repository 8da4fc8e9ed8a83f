// Original file: search/v1/search_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { SearchRequest as _search_v1_SearchRequest, SearchRequest__Output as _search_v1_SearchRequest__Output } from '../../search/v1/SearchRequest.ts';
import type { SearchResponse as _search_v1_SearchResponse, SearchResponse__Output as _search_v1_SearchResponse__Output } from '../../search/v1/SearchResponse.ts';

/**
 * The search read model of the catalog, kept from catalog.item.v1. Every query is scoped to the
 * tenant the gateway forwards.
 */
export interface SearchServiceClient extends grpc.Client {
  Search(argument: _search_v1_SearchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_search_v1_SearchResponse__Output>): grpc.ClientUnaryCall;
  Search(argument: _search_v1_SearchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_search_v1_SearchResponse__Output>): grpc.ClientUnaryCall;
  Search(argument: _search_v1_SearchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_search_v1_SearchResponse__Output>): grpc.ClientUnaryCall;
  Search(argument: _search_v1_SearchRequest, callback: grpc.requestCallback<_search_v1_SearchResponse__Output>): grpc.ClientUnaryCall;
  search(argument: _search_v1_SearchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_search_v1_SearchResponse__Output>): grpc.ClientUnaryCall;
  search(argument: _search_v1_SearchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_search_v1_SearchResponse__Output>): grpc.ClientUnaryCall;
  search(argument: _search_v1_SearchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_search_v1_SearchResponse__Output>): grpc.ClientUnaryCall;
  search(argument: _search_v1_SearchRequest, callback: grpc.requestCallback<_search_v1_SearchResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The search read model of the catalog, kept from catalog.item.v1. Every query is scoped to the
 * tenant the gateway forwards.
 */
export interface SearchServiceHandlers extends grpc.UntypedServiceImplementation {
  Search: grpc.handleUnaryCall<_search_v1_SearchRequest__Output, _search_v1_SearchResponse>;
  
}

export interface SearchServiceDefinition extends grpc.ServiceDefinition {
  Search: MethodDefinition<_search_v1_SearchRequest, _search_v1_SearchResponse, _search_v1_SearchRequest__Output, _search_v1_SearchResponse__Output>
}
