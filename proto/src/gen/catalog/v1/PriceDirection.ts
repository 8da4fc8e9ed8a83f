// Original file: catalog/v1/catalog_service.proto

export const PriceDirection = {
  PRICE_DIRECTION_UNSPECIFIED: 'PRICE_DIRECTION_UNSPECIFIED',
  PRICE_DIRECTION_DOWN: 'PRICE_DIRECTION_DOWN',
  PRICE_DIRECTION_UP: 'PRICE_DIRECTION_UP',
} as const;

export type PriceDirection =
  | 'PRICE_DIRECTION_UNSPECIFIED'
  | 0
  | 'PRICE_DIRECTION_DOWN'
  | 1
  | 'PRICE_DIRECTION_UP'
  | 2

export type PriceDirection__Output = typeof PriceDirection[keyof typeof PriceDirection]
