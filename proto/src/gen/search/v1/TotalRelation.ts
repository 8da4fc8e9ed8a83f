// Original file: search/v1/search_service.proto

/**
 * How a response's total relates to the number of matches.
 */
export const TotalRelation = {
  /**
   * A later page: totals are given on the first page only.
   */
  TOTAL_RELATION_UNSPECIFIED: 'TOTAL_RELATION_UNSPECIFIED',
  /**
   * The total is the number of matches, counted.
   */
  TOTAL_RELATION_EQ: 'TOTAL_RELATION_EQ',
  /**
   * There are at least that many: counting stopped at the cap (10,000 by default).
   */
  TOTAL_RELATION_GTE: 'TOTAL_RELATION_GTE',
} as const;

/**
 * How a response's total relates to the number of matches.
 */
export type TotalRelation =
  /**
   * A later page: totals are given on the first page only.
   */
  | 'TOTAL_RELATION_UNSPECIFIED'
  | 0
  /**
   * The total is the number of matches, counted.
   */
  | 'TOTAL_RELATION_EQ'
  | 1
  /**
   * There are at least that many: counting stopped at the cap (10,000 by default).
   */
  | 'TOTAL_RELATION_GTE'
  | 2

/**
 * How a response's total relates to the number of matches.
 */
export type TotalRelation__Output = typeof TotalRelation[keyof typeof TotalRelation]
