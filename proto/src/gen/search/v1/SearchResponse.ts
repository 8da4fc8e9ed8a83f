// Original file: search/v1/search_service.proto

import type { SearchHit as _search_v1_SearchHit, SearchHit__Output as _search_v1_SearchHit__Output } from '../../search/v1/SearchHit.ts';
import type { TagCount as _search_v1_TagCount, TagCount__Output as _search_v1_TagCount__Output } from '../../search/v1/TagCount.ts';
import type { Long } from '@grpc/proto-loader';

export interface SearchResponse {
  'hits'?: (_search_v1_SearchHit)[];
  'next_cursor'?: (string);
  /**
   * Exact up to 1,000 matches (total_is_exact); past that, the query planner's estimate.
   */
  'estimated_total'?: (number | string | Long);
  'total_is_exact'?: (boolean);
  /**
   * The most frequent tags among the first 500 matches.
   */
  'tag_facets'?: (_search_v1_TagCount)[];
}

export interface SearchResponse__Output {
  'hits': (_search_v1_SearchHit__Output)[];
  'next_cursor': (string);
  /**
   * Exact up to 1,000 matches (total_is_exact); past that, the query planner's estimate.
   */
  'estimated_total': (string);
  'total_is_exact': (boolean);
  /**
   * The most frequent tags among the first 500 matches.
   */
  'tag_facets': (_search_v1_TagCount__Output)[];
}
