// Original file: search/v1/search_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { SortOrder as _search_v1_SortOrder, SortOrder__Output as _search_v1_SortOrder__Output } from '../../search/v1/SortOrder.ts';
import type { Long } from '@grpc/proto-loader';

export interface SearchRequest {
  /**
   * Words, web-search syntax ("exact phrase", -not, or), ranked; accents ignored.
   */
  'q'?: (string);
  /**
   * Case-insensitive substring of title or description.
   */
  'contains'?: (string);
  /**
   * POSIX regular expression over title and description, at most 256 characters.
   */
  'pattern'?: (string);
  'published_after'?: (_google_protobuf_Timestamp | null);
  'published_before'?: (_google_protobuf_Timestamp | null);
  /**
   * Items carrying all of these tags.
   */
  'tags'?: (string)[];
  /**
   * Price bounds in minor units, inclusive; with `currency`, only prices in that currency.
   */
  'min_price_minor'?: (number | string | Long);
  'max_price_minor'?: (number | string | Long);
  'currency'?: (string);
  'sort'?: (_search_v1_SortOrder);
  /**
   * At most 100; 0 means 20.
   */
  'limit'?: (number);
  /**
   * Opaque cursor from a previous response, for the same query.
   */
  'cursor'?: (string);
  /**
   * The last word of `q` also matches the words it begins (search as you type): `brass la` finds
   * "brass lamp". Off by default.
   */
  'prefix'?: (boolean);
  '_min_price_minor'?: "min_price_minor";
  '_max_price_minor'?: "max_price_minor";
}

export interface SearchRequest__Output {
  /**
   * Words, web-search syntax ("exact phrase", -not, or), ranked; accents ignored.
   */
  'q': (string);
  /**
   * Case-insensitive substring of title or description.
   */
  'contains': (string);
  /**
   * POSIX regular expression over title and description, at most 256 characters.
   */
  'pattern': (string);
  'published_after': (_google_protobuf_Timestamp__Output | null);
  'published_before': (_google_protobuf_Timestamp__Output | null);
  /**
   * Items carrying all of these tags.
   */
  'tags': (string)[];
  /**
   * Price bounds in minor units, inclusive; with `currency`, only prices in that currency.
   */
  'min_price_minor'?: (string);
  'max_price_minor'?: (string);
  'currency': (string);
  'sort': (_search_v1_SortOrder__Output);
  /**
   * At most 100; 0 means 20.
   */
  'limit': (number);
  /**
   * Opaque cursor from a previous response, for the same query.
   */
  'cursor': (string);
  /**
   * The last word of `q` also matches the words it begins (search as you type): `brass la` finds
   * "brass lamp". Off by default.
   */
  'prefix': (boolean);
  '_min_price_minor'?: "min_price_minor";
  '_max_price_minor'?: "max_price_minor";
}
