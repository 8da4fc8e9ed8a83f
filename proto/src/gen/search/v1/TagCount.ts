// Original file: search/v1/search_service.proto

import type { Long } from '@grpc/proto-loader';

export interface TagCount {
  'tag'?: (string);
  'count'?: (number | string | Long);
}

export interface TagCount__Output {
  'tag': (string);
  'count': (string);
}
