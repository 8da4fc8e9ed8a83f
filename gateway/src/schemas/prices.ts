import { Type } from 'typebox'
import { Money, Nullable, PageQuery } from './item.ts'

/*
 * The REST shapes of price history: an item's prices (all of them, or a window), its summary in
 * buckets, and the tenant's change feed. Bounds mirror the catalog's, which checks them again.
 */

/** An RFC 3339 instant, or a date meaning the start of that UTC day. */
const Instant = (description: string) =>
  Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], {
    description: `${description}: an RFC 3339 instant, or a date (the start of that UTC day)`,
  })

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  )

export const PricePoint = Type.Object({
  version: Type.Integer(),
  price: Nullable(Money),
  changed_at: Type.String({ format: 'date-time' }),
})

export const PagePrices = Type.Object({
  items: Type.Array(PricePoint),
  next_cursor: Nullable(Type.String()),
})

export const PriceHistoryQuery = Type.Object(
  {
    from: Type.Optional(Instant('changes at or after')),
    to: Type.Optional(Instant('changes before')),
    order: Type.Optional(
      literals(
        ['desc', 'asc'] as const,
        'desc (the default): newest first; asc: oldest first. With a window or an order, pages go by change time',
      ),
    ),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
)

export const PriceSummaryQuery = Type.Object(
  {
    from: Instant('the window starts at'),
    to: Type.Optional(Instant('the window ends before (default: now)')),
    interval: Type.Optional(
      literals(
        ['day', 'week', 'month'] as const,
        'bucket width, in UTC; weeks start on Monday. At most 366 days, 260 weeks or 120 months',
      ),
    ),
  },
  { additionalProperties: false },
)

const Amount = Type.Integer({ description: 'minor units' })

const PriceBucket = Type.Object({
  start: Type.String({ format: 'date-time', description: 'the UTC day, Monday or 1st of the month the bucket starts' }),
  open: Amount,
  close: Amount,
  min: Amount,
  max: Amount,
  changes: Type.Integer({ minimum: 0, description: '0: no change in the bucket, the price before it carried forward' }),
})

const PriceSeries = Type.Object({
  currency: Type.String(),
  min: Amount,
  max: Amount,
  buckets: Type.Array(PriceBucket),
})

export const PriceSummary = Type.Object({
  item_id: Type.String({ format: 'uuid' }),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  interval: Type.String(),
  current_price: Nullable(Money),
  series: Type.Array(PriceSeries, {
    description:
      'one per run of one currency, oldest first: a change of currency starts a new series. Days without any price are in none',
  }),
})

export const PriceChangesQuery = Type.Object(
  {
    since: Type.Optional(Instant('changes at or after (default: 7 days before until; at most 92 days before it)')),
    until: Type.Optional(Instant('changes before (default: now)')),
    direction: Type.Optional(literals(['down', 'up'] as const, 'only drops, or only rises, within one currency')),
    min_change_percent: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100_000, description: 'only changes of at least this percentage, either way' }),
    ),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'only changes to a price in this currency' })),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
)

export const PriceChange = Type.Object({
  item_id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  version: Type.Integer(),
  changed_at: Type.String({ format: 'date-time' }),
  old_price: Nullable(Money),
  new_price: Nullable(Money),
  change_percent: Type.Union([Type.Number(), Type.Null()], {
    description: '(new - old) / old × 100, 2 decimals; null across currencies, from or to no price, or from 0',
  }),
})

export const PagePriceChanges = Type.Object({
  items: Type.Array(PriceChange),
  next_cursor: Nullable(
    Type.String({
      description:
        'the next page; a page reads at most 10,000 changes of the window, so a selective filter may answer a short (even empty) page with a next_cursor: follow it until null',
    }),
  ),
})
