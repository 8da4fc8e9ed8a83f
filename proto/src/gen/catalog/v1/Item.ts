// Original file: catalog/v1/item.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct.ts';
import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from '../../common/v1/Money.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * An item of the catalog: a listing, a game, a gist, a product.
 */
export interface Item {
  /**
   * Server-made UUID.
   */
  'id'?: (string);
  /**
   * Owner tenant, taken from the caller's verified token, never from the request body.
   */
  'tenant'?: (string);
  /**
   * Natural key, unique per tenant: (source, external_id).
   */
  'source'?: (string);
  'external_id'?: (string);
  'title'?: (string);
  'description'?: (string);
  /**
   * Normalised: trimmed, deduplicated, sorted.
   */
  'tags'?: (string)[];
  'attributes'?: (_google_protobuf_Struct | null);
  /**
   * Absent when the item has no price.
   */
  'price'?: (_common_v1_Money | null);
  'published_at'?: (_google_protobuf_Timestamp | null);
  'created_at'?: (_google_protobuf_Timestamp | null);
  'updated_at'?: (_google_protobuf_Timestamp | null);
  /**
   * +1 on every change; consumers skip events whose version they have already applied.
   */
  'version'?: (number | string | Long);
}

/**
 * An item of the catalog: a listing, a game, a gist, a product.
 */
export interface Item__Output {
  /**
   * Server-made UUID.
   */
  'id': (string);
  /**
   * Owner tenant, taken from the caller's verified token, never from the request body.
   */
  'tenant': (string);
  /**
   * Natural key, unique per tenant: (source, external_id).
   */
  'source': (string);
  'external_id': (string);
  'title': (string);
  'description': (string);
  /**
   * Normalised: trimmed, deduplicated, sorted.
   */
  'tags': (string)[];
  'attributes': (_google_protobuf_Struct__Output | null);
  /**
   * Absent when the item has no price.
   */
  'price': (_common_v1_Money__Output | null);
  'published_at': (_google_protobuf_Timestamp__Output | null);
  'created_at': (_google_protobuf_Timestamp__Output | null);
  'updated_at': (_google_protobuf_Timestamp__Output | null);
  /**
   * +1 on every change; consumers skip events whose version they have already applied.
   */
  'version': (string);
}
