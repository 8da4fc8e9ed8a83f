// Original file: catalog/v1/item.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct.ts';
import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from '../../common/v1/Money.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';

/**
 * The mutable fields of an item, as a client sends them.
 */
export interface ItemFields {
  'title'?: (string);
  'description'?: (string);
  'tags'?: (string)[];
  'attributes'?: (_google_protobuf_Struct | null);
  'price'?: (_common_v1_Money | null);
  'published_at'?: (_google_protobuf_Timestamp | null);
}

/**
 * The mutable fields of an item, as a client sends them.
 */
export interface ItemFields__Output {
  'title': (string);
  'description': (string);
  'tags': (string)[];
  'attributes': (_google_protobuf_Struct__Output | null);
  'price': (_common_v1_Money__Output | null);
  'published_at': (_google_protobuf_Timestamp__Output | null);
}
