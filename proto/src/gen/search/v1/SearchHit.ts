// Original file: search/v1/search_service.proto

import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from '../../common/v1/Money.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct.ts';
import type { Long } from '@grpc/proto-loader';

export interface SearchHit {
  'item_id'?: (string);
  'title'?: (string);
  /**
   * Highlighted with <mark>…</mark> around the words of `q`.
   */
  'snippet'?: (string);
  'tags'?: (string)[];
  'price'?: (_common_v1_Money | null);
  'published_at'?: (_google_protobuf_Timestamp | null);
  'score'?: (number | string);
  'version'?: (number | string | Long);
  'source'?: (string);
  'external_id'?: (string);
  'attributes'?: (_google_protobuf_Struct | null);
}

export interface SearchHit__Output {
  'item_id': (string);
  'title': (string);
  /**
   * Highlighted with <mark>…</mark> around the words of `q`.
   */
  'snippet': (string);
  'tags': (string)[];
  'price': (_common_v1_Money__Output | null);
  'published_at': (_google_protobuf_Timestamp__Output | null);
  'score': (number);
  'version': (string);
  'source': (string);
  'external_id': (string);
  'attributes': (_google_protobuf_Struct__Output | null);
}
