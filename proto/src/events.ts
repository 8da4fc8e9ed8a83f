import { codec } from './codec.ts'
import type { ItemDeleted, ItemDeleted__Output } from './gen/catalog/v1/ItemDeleted.ts'
import type { ItemUpserted, ItemUpserted__Output } from './gen/catalog/v1/ItemUpserted.ts'
import type { PriceChanged, PriceChanged__Output } from './gen/catalog/v1/PriceChanged.ts'

/** Topics, CloudEvents types and payload codecs of the events the catalog publishes. */
export const TOPICS = {
  item: 'catalog.item.v1',
  price: 'catalog.price.v1',
} as const

export const TYPES = {
  itemUpserted: 'item.upserted',
  itemDeleted: 'item.deleted',
  priceChanged: 'price.changed',
} as const

export const itemUpserted = codec<ItemUpserted, ItemUpserted__Output>('catalog.v1.ItemUpserted')
export const itemDeleted = codec<ItemDeleted, ItemDeleted__Output>('catalog.v1.ItemDeleted')
export const priceChanged = codec<PriceChanged, PriceChanged__Output>('catalog.v1.PriceChanged')
