// The search.v1 contract's types, re-exported under one namespace: `search.SearchRequest__Output`.
export type * from './gen/search/v1/SearchHit.ts'
export type * from './gen/search/v1/SearchRequest.ts'
export type * from './gen/search/v1/SearchResponse.ts'
export type * from './gen/search/v1/SearchService.ts'
export type * from './gen/search/v1/SortOrder.ts'
export type * from './gen/search/v1/TagCount.ts'
export type * from './gen/search/v1/TotalRelation.ts'
