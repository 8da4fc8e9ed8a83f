import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from './common/v1/Money.ts';
import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue.ts';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value.ts';
import type { AttributeRange as _search_v1_AttributeRange, AttributeRange__Output as _search_v1_AttributeRange__Output } from './search/v1/AttributeRange.ts';
import type { Facet as _search_v1_Facet, Facet__Output as _search_v1_Facet__Output } from './search/v1/Facet.ts';
import type { FacetValue as _search_v1_FacetValue, FacetValue__Output as _search_v1_FacetValue__Output } from './search/v1/FacetValue.ts';
import type { PriceBucket as _search_v1_PriceBucket, PriceBucket__Output as _search_v1_PriceBucket__Output } from './search/v1/PriceBucket.ts';
import type { SearchHit as _search_v1_SearchHit, SearchHit__Output as _search_v1_SearchHit__Output } from './search/v1/SearchHit.ts';
import type { SearchRequest as _search_v1_SearchRequest, SearchRequest__Output as _search_v1_SearchRequest__Output } from './search/v1/SearchRequest.ts';
import type { SearchResponse as _search_v1_SearchResponse, SearchResponse__Output as _search_v1_SearchResponse__Output } from './search/v1/SearchResponse.ts';
import type { SearchServiceClient as _search_v1_SearchServiceClient, SearchServiceDefinition as _search_v1_SearchServiceDefinition } from './search/v1/SearchService.ts';
import type { TagCount as _search_v1_TagCount, TagCount__Output as _search_v1_TagCount__Output } from './search/v1/TagCount.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
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
  search: {
    v1: {
      AttributeRange: MessageTypeDefinition<_search_v1_AttributeRange, _search_v1_AttributeRange__Output>
      Facet: MessageTypeDefinition<_search_v1_Facet, _search_v1_Facet__Output>
      FacetValue: MessageTypeDefinition<_search_v1_FacetValue, _search_v1_FacetValue__Output>
      PriceBucket: MessageTypeDefinition<_search_v1_PriceBucket, _search_v1_PriceBucket__Output>
      SearchHit: MessageTypeDefinition<_search_v1_SearchHit, _search_v1_SearchHit__Output>
      SearchRequest: MessageTypeDefinition<_search_v1_SearchRequest, _search_v1_SearchRequest__Output>
      SearchResponse: MessageTypeDefinition<_search_v1_SearchResponse, _search_v1_SearchResponse__Output>
      /**
       * The search read model of the catalog, kept from catalog.item.v1. Every query is scoped to the
       * tenant the gateway forwards.
       */
      SearchService: SubtypeConstructor<typeof grpc.Client, _search_v1_SearchServiceClient> & { service: _search_v1_SearchServiceDefinition }
      SortOrder: EnumTypeDefinition
      TagCount: MessageTypeDefinition<_search_v1_TagCount, _search_v1_TagCount__Output>
      TotalRelation: EnumTypeDefinition
    }
  }
}

