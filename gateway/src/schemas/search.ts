import { Type } from 'typebox'

const Money = Type.Object({ amount_minor: Type.Integer(), currency: Type.String() })

/** Bounds on the `attr.*` parameters, as the search service bounds what they become. */
export const ATTR_LIMITS = { params: 20, ranges: 10, depth: 4, key: 64 } as const

/** `attr.<path>`, `attr.<path>.gte`, `attr.<path>.lte`: named by pattern, read by routes/search.ts. */
export const ATTR_PARAM = '^attr\\.'

export const ATTR_DESCRIPTION = `attr.<path>=<value>: only items whose attribute at that dotted path (keys of letters, digits, _ or -, at most ${ATTR_LIMITS.depth} deep) is the value, read as JSON when it is a number, true, false, null or "quoted", else as text; attr.<path>.gte=<n> and attr.<path>.lte=<n>: a number at that path within the bounds, inclusive. At most ${ATTR_LIMITS.params} attr parameters, ${ATTR_LIMITS.ranges} paths with bounds.`

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 256, description: 'words, web-search syntax ("phrase", -not, or), ranked' })),
    prefix: Type.Optional(
      Type.Boolean({ description: 'the last word of q also matches the words it begins (search as you type)' }),
    ),
    contains: Type.Optional(Type.String({ maxLength: 256, description: 'case-insensitive substring of title or description' })),
    pattern: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'regular expression over title or description, case-sensitive, in the syntax every engine runs alike',
      }),
    ),
    after: Type.Optional(
      Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], {
        description: 'published at or after: an RFC 3339 instant, or a date (the start of that UTC day)',
      }),
    ),
    before: Type.Optional(
      Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], {
        description: 'published before: an RFC 3339 instant, or a date (the start of that UTC day)',
      }),
    ),
    tags: Type.Optional(Type.String({ maxLength: 1_400, description: 'comma-separated; items carrying all of them' })),
    min_price: Type.Optional(
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units, inclusive' }),
    ),
    max_price: Type.Optional(
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units, inclusive' }),
    ),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$', description: 'only items of this source' }),
    ),
    attributes: Type.Optional(
      Type.String({
        maxLength: 4_096,
        description: 'a JSON object: only items whose attributes contain it ({"color":"red"} matches {"color":"red","size":42})',
      }),
    ),
    facets: Type.Optional(
      Type.String({
        maxLength: 400,
        pattern: '^(tags|attr\\.[^,]+)(,(tags|attr\\.[^,]+)){0,4}$',
        description:
          'comma-separated, at most 5: tags, or attr.<path>; the top values of each, counted over the matches the total counts (every match when total_relation is eq)',
      }),
    ),
    facet_size: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 50, description: 'values per facet, most frequent first; 10 by default' }),
    ),
    price_histogram: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description:
          'a bucket width in minor units: counts of matching prices per bucket (at most 100 non-empty buckets); needs currency',
      }),
    ),
    typo: Type.Optional(
      Type.Boolean({
        description: 'each word of q also matches words a typo or two away; q of plain words, at most 8, not with prefix',
      }),
    ),
    sort: Type.Optional(Type.Union(['relevance', 'newest', 'price_asc', 'price_desc'].map((s) => Type.Literal(s)))),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  {
    additionalProperties: false,
    patternProperties: { [ATTR_PARAM]: Type.String({ minLength: 1, maxLength: 256, description: ATTR_DESCRIPTION }) },
    description: ATTR_DESCRIPTION,
  },
)

const FacetValue = Type.Object({ value: Type.Union([Type.String(), Type.Number(), Type.Boolean()]), count: Type.Integer() })

export const SearchResult = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      title: Type.String(),
      snippet: Type.String(),
      tags: Type.Array(Type.String()),
      price: Type.Union([Money, Type.Null()]),
      published_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      score: Type.Number(),
      version: Type.Integer(),
      source: Type.String(),
      external_id: Type.String(),
      attributes: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  estimated_total: Type.Integer({
    description:
      'matches, counted up to 10,000 on the first page (0 on later pages); total_relation says how it relates to all matches',
  }),
  total_is_exact: Type.Boolean({ description: "total_relation is 'eq'" }),
  total_relation: Type.Union([Type.Literal('eq'), Type.Literal('gte'), Type.Null()], {
    description:
      "'eq': exactly estimated_total matches; 'gte': at least that many (counting stopped at the cap); null on later pages",
  }),
  facets: Type.Object({
    tags: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() }), {
      description: 'the ten most frequent tags among the first 1,000 matches counted, always',
    }),
    fields: Type.Record(Type.String(), Type.Array(FacetValue), {
      description: 'the facets asked for, by name (tags, attr.<path>): their top values, most frequent first',
    }),
  }),
  price_histogram: Type.Union(
    [
      Type.Object({
        width: Type.Integer(),
        currency: Type.String(),
        buckets: Type.Array(
          Type.Object({ from: Type.Integer({ description: 'prices from here to before from + width' }), count: Type.Integer() }),
        ),
        truncated: Type.Boolean({ description: 'more non-empty buckets than the 100 given' }),
      }),
      Type.Null(),
    ],
    { description: 'with price_histogram: the non-empty buckets of matching prices, lowest first' },
  ),
})
