// Original file: search/v1/search_service.proto

export const SortOrder = {
  /**
   * Relevance when `q` is set, newest otherwise.
   */
  SORT_ORDER_UNSPECIFIED: 'SORT_ORDER_UNSPECIFIED',
  SORT_ORDER_RELEVANCE: 'SORT_ORDER_RELEVANCE',
  SORT_ORDER_NEWEST: 'SORT_ORDER_NEWEST',
  SORT_ORDER_PRICE_ASC: 'SORT_ORDER_PRICE_ASC',
  SORT_ORDER_PRICE_DESC: 'SORT_ORDER_PRICE_DESC',
} as const;

export type SortOrder =
  /**
   * Relevance when `q` is set, newest otherwise.
   */
  | 'SORT_ORDER_UNSPECIFIED'
  | 0
  | 'SORT_ORDER_RELEVANCE'
  | 1
  | 'SORT_ORDER_NEWEST'
  | 2
  | 'SORT_ORDER_PRICE_ASC'
  | 3
  | 'SORT_ORDER_PRICE_DESC'
  | 4

export type SortOrder__Output = typeof SortOrder[keyof typeof SortOrder]
