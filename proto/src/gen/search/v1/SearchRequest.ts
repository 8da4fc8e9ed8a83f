// Original file: search/v1/search_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { SortOrder as _search_v1_SortOrder, SortOrder__Output as _search_v1_SortOrder__Output } from '../../search/v1/SortOrder.ts';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct.ts';
import type { AttributeRange as _search_v1_AttributeRange, AttributeRange__Output as _search_v1_AttributeRange__Output } from '../../search/v1/AttributeRange.ts';
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
   * Regular expression over title and description, at most 256 characters, case-sensitive, in
   * the syntax every engine runs alike (docs/search.md); anything else is refused.
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
  /**
   * Only items of this source (the first half of the natural key).
   */
  'source'?: (string);
  /**
   * Only items whose attributes contain all of these keys with these values (JSON containment:
   * {"color": "red"} matches {"color": "red", "size": 42}; a nested object or an array matches
   * when the item's holds it). At most 20 keys.
   */
  'attributes'?: (_google_protobuf_Struct | null);
  /**
   * Only items with a number within these bounds at each of these attribute paths. At most 10.
   */
  'attribute_ranges'?: (_search_v1_AttributeRange)[];
  /**
   * Counts of the top values of each of these, on the first page: `tags`, or `attr.<path>` (a
   * dotted attribute path, as AttributeRange's). At most 5, each named once.
   */
  'facets'?: (string)[];
  /**
   * The values of each facet, most frequent first: 0 means 10, at most 50.
   */
  'facet_size'?: (number);
  /**
   * Counts of matching prices in buckets this wide (minor units), on the first page; needs
   * `currency`. 0: none.
   */
  'price_histogram'?: (number | string | Long);
  /**
   * Each word of `q` also matches words a typo or two away (PostgreSQL: trigram word similarity;
   * OpenSearch: fuzziness AUTO). `q` must be plain words, at most 8 of them; not with `prefix`.
   */
  'typo'?: (boolean);
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
   * Regular expression over title and description, at most 256 characters, case-sensitive, in
   * the syntax every engine runs alike (docs/search.md); anything else is refused.
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
  /**
   * Only items of this source (the first half of the natural key).
   */
  'source': (string);
  /**
   * Only items whose attributes contain all of these keys with these values (JSON containment:
   * {"color": "red"} matches {"color": "red", "size": 42}; a nested object or an array matches
   * when the item's holds it). At most 20 keys.
   */
  'attributes': (_google_protobuf_Struct__Output | null);
  /**
   * Only items with a number within these bounds at each of these attribute paths. At most 10.
   */
  'attribute_ranges': (_search_v1_AttributeRange__Output)[];
  /**
   * Counts of the top values of each of these, on the first page: `tags`, or `attr.<path>` (a
   * dotted attribute path, as AttributeRange's). At most 5, each named once.
   */
  'facets': (string)[];
  /**
   * The values of each facet, most frequent first: 0 means 10, at most 50.
   */
  'facet_size': (number);
  /**
   * Counts of matching prices in buckets this wide (minor units), on the first page; needs
   * `currency`. 0: none.
   */
  'price_histogram': (string);
  /**
   * Each word of `q` also matches words a typo or two away (PostgreSQL: trigram word similarity;
   * OpenSearch: fuzziness AUTO). `q` must be plain words, at most 8 of them; not with `prefix`.
   */
  'typo': (boolean);
  '_min_price_minor'?: "min_price_minor";
  '_max_price_minor'?: "max_price_minor";
}
