// Original file: catalog/v1/catalog_service.proto

import type { PriceBucket as _catalog_v1_PriceBucket, PriceBucket__Output as _catalog_v1_PriceBucket__Output } from '../../catalog/v1/PriceBucket.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * The prices of one currency over consecutive buckets of the window.
 */
export interface PriceSeries {
  'currency'?: (string);
  /**
   * The lowest and highest price in effect at any time of the series within the window.
   */
  'min_amount_minor'?: (number | string | Long);
  'max_amount_minor'?: (number | string | Long);
  'buckets'?: (_catalog_v1_PriceBucket)[];
}

/**
 * The prices of one currency over consecutive buckets of the window.
 */
export interface PriceSeries__Output {
  'currency': (string);
  /**
   * The lowest and highest price in effect at any time of the series within the window.
   */
  'min_amount_minor': (string);
  'max_amount_minor': (string);
  'buckets': (_catalog_v1_PriceBucket__Output)[];
}
