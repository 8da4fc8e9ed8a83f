import type { catalog, JsonObject } from '@catalog/proto'
import { jsonToStruct, toTimestamp } from '@catalog/proto'
import type { Price } from './item-rules.ts'

/** A row of `items` as pg returns it (bigint as string, timestamptz as Date). */
export interface ItemRow {
  id: string
  tenant: string
  source: string
  external_id: string
  title: string
  description: string
  tags: string[]
  attributes: JsonObject
  price_amount_minor: string | null
  price_currency: string | null
  published_at: Date | null
  created_at: Date
  updated_at: Date
  version: string
  deleted_at: Date | null
}

export const ITEM_COLUMNS =
  'id, tenant, source, external_id, title, description, tags, attributes, price_amount_minor, price_currency, published_at, created_at, updated_at, version, deleted_at'

export function priceOf(row: ItemRow): Price | null {
  return row.price_amount_minor === null || row.price_currency === null
    ? null
    : { amount_minor: row.price_amount_minor, currency: row.price_currency }
}

export function toItem(row: ItemRow): catalog.Item {
  return {
    id: row.id,
    tenant: row.tenant,
    source: row.source,
    external_id: row.external_id,
    title: row.title,
    description: row.description,
    tags: row.tags,
    attributes: jsonToStruct(row.attributes),
    price: priceOf(row),
    published_at: row.published_at ? toTimestamp(row.published_at) : null,
    created_at: toTimestamp(row.created_at),
    updated_at: toTimestamp(row.updated_at),
    version: row.version,
  }
}
