// Original file: catalog/v1/catalog_service.proto

export const PriceOrder = {
  PRICE_ORDER_UNSPECIFIED: 'PRICE_ORDER_UNSPECIFIED',
  PRICE_ORDER_NEWEST_FIRST: 'PRICE_ORDER_NEWEST_FIRST',
  PRICE_ORDER_OLDEST_FIRST: 'PRICE_ORDER_OLDEST_FIRST',
} as const;

export type PriceOrder =
  | 'PRICE_ORDER_UNSPECIFIED'
  | 0
  | 'PRICE_ORDER_NEWEST_FIRST'
  | 1
  | 'PRICE_ORDER_OLDEST_FIRST'
  | 2

export type PriceOrder__Output = typeof PriceOrder[keyof typeof PriceOrder]
