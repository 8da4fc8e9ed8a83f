// Original file: search/v1/search_service.proto

import type { SearchHit as _search_v1_SearchHit, SearchHit__Output as _search_v1_SearchHit__Output } from '../../search/v1/SearchHit.ts';
import type { TagCount as _search_v1_TagCount, TagCount__Output as _search_v1_TagCount__Output } from '../../search/v1/TagCount.ts';
import type { TotalRelation as _search_v1_TotalRelation, TotalRelation__Output as _search_v1_TotalRelation__Output } from '../../search/v1/TotalRelation.ts';
import type { Facet as _search_v1_Facet, Facet__Output as _search_v1_Facet__Output } from '../../search/v1/Facet.ts';
import type { PriceBucket as _search_v1_PriceBucket, PriceBucket__Output as _search_v1_PriceBucket__Output } from '../../search/v1/PriceBucket.ts';
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
  /**
   * The facets the request asked for, in its order, counted over the matches the total counted:
   * every match when total_relation is EQ, else the first SEARCH_EXACT_COUNT_UP_TO + 1 found.
   */
  'facets'?: (_search_v1_Facet)[];
  /**
   * The non-empty buckets of the price histogram, lowest first, at most 100, over the same matches.
   */
  'price_histogram'?: (_search_v1_PriceBucket)[];
  /**
   * More non-empty buckets than the 100 given: ask with a wider bucket or a narrower price range.
   */
  'price_histogram_truncated'?: (boolean);
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
  /**
   * The facets the request asked for, in its order, counted over the matches the total counted:
   * every match when total_relation is EQ, else the first SEARCH_EXACT_COUNT_UP_TO + 1 found.
   */
  'facets': (_search_v1_Facet__Output)[];
  /**
   * The non-empty buckets of the price histogram, lowest first, at most 100, over the same matches.
   */
  'price_histogram': (_search_v1_PriceBucket__Output)[];
  /**
   * More non-empty buckets than the 100 given: ask with a wider bucket or a narrower price range.
   */
  'price_histogram_truncated': (boolean);
}
