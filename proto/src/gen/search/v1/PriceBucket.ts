// Original file: search/v1/search_service.proto

import type { Long } from '@grpc/proto-loader';

export interface PriceBucket {
  /**
   * The bucket holds prices from here (a multiple of the width) to before from_minor + width.
   */
  'from_minor'?: (number | string | Long);
  'count'?: (number | string | Long);
}

export interface PriceBucket__Output {
  /**
   * The bucket holds prices from here (a multiple of the width) to before from_minor + width.
   */
  'from_minor': (string);
  'count': (string);
}
