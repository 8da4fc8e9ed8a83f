import { ITEM_LIMITS } from '@catalog/proto'
import { Type } from 'typebox'

/*
 * The REST shapes of items, written once: Fastify validates requests and serialises responses
 * with them, and @fastify/swagger turns them into the OpenAPI document. Limits mirror the
 * catalog's (which checks them again: it is the source of truth).
 */

export const Money = Type.Object(
  {
    amount_minor: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'amount in minor units (cents)' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
  },
  { additionalProperties: false },
)

export const Nullable = <T extends ReturnType<typeof Type.Object> | ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()])

const fields = {
  title: Type.String({ minLength: 1, maxLength: ITEM_LIMITS.title }),
  description: Type.String({ maxLength: ITEM_LIMITS.description }),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: ITEM_LIMITS.tag }), { maxItems: ITEM_LIMITS.tags }),
  attributes: Type.Object({}, { additionalProperties: true, maxProperties: 256, description: 'a JSON object, at most 16 KiB' }),
  price: Nullable(Money),
  published_at: Nullable(Type.String({ format: 'date-time' })),
}

const naturalKey = {
  source: Type.String({ minLength: 1, maxLength: ITEM_LIMITS.source, pattern: '^\\S+$' }),
  external_id: Type.String({ minLength: 1, maxLength: ITEM_LIMITS.externalId }),
}

/** Every field but the title may be left out (it then takes its empty value). */
const optionalFields = {
  description: Type.Optional(fields.description),
  tags: Type.Optional(fields.tags),
  attributes: Type.Optional(fields.attributes),
  price: Type.Optional(fields.price),
  published_at: Type.Optional(fields.published_at),
}

export const CreateItemBody = Type.Object(
  { ...naturalKey, title: fields.title, ...optionalFields },
  { additionalProperties: false },
)

/** PUT replaces every field: what is left out takes its empty value. */
export const ReplaceItemBody = Type.Object({ title: fields.title, ...optionalFields }, { additionalProperties: false })

/** PATCH is a JSON merge patch of the fields: what is present changes, `null` clears price and date. */
export const PatchItemBody = Type.Object(
  { title: Type.Optional(fields.title), ...optionalFields },
  { additionalProperties: false, minProperties: 1 },
)

export const Item = Type.Object({
  id: Type.String({ format: 'uuid' }),
  ...naturalKey,
  title: Type.String(),
  description: Type.String(),
  tags: Type.Array(Type.String()),
  attributes: Type.Object({}, { additionalProperties: true }),
  price: Nullable(Money),
  published_at: Nullable(Type.String({ format: 'date-time' })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  version: Type.Integer({ minimum: 1 }),
})

export const ItemParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
)

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String(),
  request_id: Type.String(),
  code: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), detail: Type.String() }))),
})
