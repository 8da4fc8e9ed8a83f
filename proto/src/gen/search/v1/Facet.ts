// Original file: search/v1/search_service.proto

import type { FacetValue as _search_v1_FacetValue, FacetValue__Output as _search_v1_FacetValue__Output } from '../../search/v1/FacetValue.ts';

export interface Facet {
  /**
   * As the request named it: `tags` or `attr.<path>`.
   */
  'field'?: (string);
  'values'?: (_search_v1_FacetValue)[];
}

export interface Facet__Output {
  /**
   * As the request named it: `tags` or `attr.<path>`.
   */
  'field': (string);
  'values': (_search_v1_FacetValue__Output)[];
}
