// Original file: search/v1/search_service.proto

import type { SearchHit as _search_v1_SearchHit, SearchHit__Output as _search_v1_SearchHit__Output } from '../../search/v1/SearchHit.ts';
import type { TagCount as _search_v1_TagCount, TagCount__Output as _search_v1_TagCount__Output } from '../../search/v1/TagCount.ts';
import type { TotalRelation as _search_v1_TotalRelation, TotalRelation__Output as _search_v1_TotalRelation__Output } from '../../search/v1/TotalRelation.ts';
import type { Long } from '@grpc/proto-loader';

export interface SearchResponse {
  'hits'?: (_search_v1_SearchHit)[];
  'next_cursor'?: (string);
  /**
   * The number of matches, counted up to the cap (10,000 by default, as Elasticsearch's
   * track_total_hits); total_relation says whether it is exact. Never an estimate.
   */
  'estimated_total'?: (number | string | Long);
  /**
   * total_relation == TOTAL_RELATION_EQ, for clients written before total_relation.
   */
  'total_is_exact'?: (boolean);
  /**
   * The ten most frequent tags among the first 1,000 matches counted.
   */
  'tag_facets'?: (_search_v1_TagCount)[];
  'total_relation'?: (_search_v1_TotalRelation);
}

export interface SearchResponse__Output {
  'hits': (_search_v1_SearchHit__Output)[];
  'next_cursor': (string);
  /**
   * The number of matches, counted up to the cap (10,000 by default, as Elasticsearch's
   * track_total_hits); total_relation says whether it is exact. Never an estimate.
   */
  'estimated_total': (string);
  /**
   * total_relation == TOTAL_RELATION_EQ, for clients written before total_relation.
   */
  'total_is_exact': (boolean);
  /**
   * The ten most frequent tags among the first 1,000 matches counted.
   */
  'tag_facets': (_search_v1_TagCount__Output)[];
  'total_relation': (_search_v1_TotalRelation__Output);
}
