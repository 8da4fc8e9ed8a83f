// Original file: search/v1/search_service.proto

import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from '../../google/protobuf/Value.ts';
import type { Long } from '@grpc/proto-loader';

export interface FacetValue {
  /**
   * A tag, or an attribute's value (a string, number or boolean).
   */
  'value'?: (_google_protobuf_Value | null);
  /**
   * Matching items holding it.
   */
  'count'?: (number | string | Long);
}

export interface FacetValue__Output {
  /**
   * A tag, or an attribute's value (a string, number or boolean).
   */
  'value': (_google_protobuf_Value__Output | null);
  /**
   * Matching items holding it.
   */
  'count': (string);
}
