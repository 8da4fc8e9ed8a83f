// Original file: catalog/v1/catalog_service.proto

export const PriceInterval = {
  PRICE_INTERVAL_UNSPECIFIED: 'PRICE_INTERVAL_UNSPECIFIED',
  PRICE_INTERVAL_DAY: 'PRICE_INTERVAL_DAY',
  /**
   * Weeks start on Monday.
   */
  PRICE_INTERVAL_WEEK: 'PRICE_INTERVAL_WEEK',
  PRICE_INTERVAL_MONTH: 'PRICE_INTERVAL_MONTH',
} as const;

export type PriceInterval =
  | 'PRICE_INTERVAL_UNSPECIFIED'
  | 0
  | 'PRICE_INTERVAL_DAY'
  | 1
  /**
   * Weeks start on Monday.
   */
  | 'PRICE_INTERVAL_WEEK'
  | 2
  | 'PRICE_INTERVAL_MONTH'
  | 3

export type PriceInterval__Output = typeof PriceInterval[keyof typeof PriceInterval]
