import type * as catalog from './catalog.ts'
import type { Money__Output } from './gen/common/v1/Money.ts'
import type { JsonObject } from './struct.ts'
import { StructTooDeepError, structToJson } from './struct.ts'
import { fromTimestamp } from './timestamp.ts'

/*
 * The rules of an item, part of the contract: the catalog applies them to every write, ingestion
 * to every record before it sends it, the gateway's REST schema takes its limits from here. A
 * limit is written once.
 */

/** A field that breaks a rule, named by its path in the request (`fields.title`, `source`). */
export interface ItemRuleViolation {
  field: string
  description: string
}

/** Thrown by the checks below with every violation found; each side maps it to its own error. */
export class ItemRulesError extends Error {
  readonly violations: readonly ItemRuleViolation[]
  constructor(violations: readonly ItemRuleViolation[]) {
    super(violations.map((v) => `${v.field}: ${v.description}`).join('; '))
    this.name = 'ItemRulesError'
    this.violations = violations
  }
}

const invalid = (violations: readonly ItemRuleViolation[]) => new ItemRulesError(violations)

/** The limits of an item, the same for the API, bulk loads and file drops. */
export const LIMITS = {
  title: 500,
  description: 20_000,
  tags: 50,
  tag: 64,
  attributesBytes: 16 * 1024,
  source: 100,
  externalId: 200,
  batchIds: 100,
} as const

export const FIELD_PATHS = ['title', 'description', 'tags', 'attributes', 'price', 'published_at'] as const
export type FieldPath = (typeof FIELD_PATHS)[number]

export interface Price {
  amount_minor: string
  currency: string
}

/** An item's mutable fields after validation and normalisation. */
export interface ItemValues {
  title: string
  description: string
  tags: string[]
  attributes: JsonObject
  price: Price | null
  published_at: Date | null
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'))
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// Control characters other than tab and newline have no place in catalog text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point of this pattern
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
// Keys are printable and without spaces (\s covers tab and newline, CONTROL the rest).
const KEY = /^\S+$/
const MAX_MINOR = 9_223_372_036_854_775_807n
// Timestamps a person could mean: years 1000 to 9999.
const MIN_SECONDS = -30_610_224_000
const MAX_SECONDS = 253_402_300_799

const length = (s: string) => [...s].length

export function checkId(id: string, field = 'id'): string {
  if (!UUID.test(id)) throw invalid([{ field, description: 'must be a UUID' }])
  return id.toLowerCase()
}

export function checkNaturalKey(source: string, externalId: string): void {
  const violations: ItemRuleViolation[] = []
  if (!KEY.test(source) || CONTROL.test(source) || length(source) > LIMITS.source) {
    violations.push({ field: 'source', description: `must be 1 to ${LIMITS.source} characters without spaces` })
  }
  if (externalId.length === 0 || CONTROL.test(externalId) || length(externalId) > LIMITS.externalId) {
    violations.push({
      field: 'external_id',
      description: `must be 1 to ${LIMITS.externalId} characters without control characters`,
    })
  }
  if (violations.length > 0) throw invalid(violations)
}

export function checkExpectedVersion(version: string, field = 'expected_version'): string {
  if (BigInt(version) < 0n) throw invalid([{ field, description: 'must not be negative' }])
  return version
}

/**
 * Validates and normalises the given paths of `fields`, reporting every violation at once under
 * `prefix` (`fields.title`, `fields.price.currency`, ...).
 */
export function checkFields(
  fields: catalog.ItemFields__Output | null,
  paths: readonly FieldPath[],
  prefix = 'fields',
): Partial<ItemValues> {
  const f = fields ?? { title: '', description: '', tags: [], attributes: null, price: null, published_at: null }
  const violations: ItemRuleViolation[] = []
  const bad = (path: string, description: string) => violations.push({ field: `${prefix}.${path}`, description })
  const out: Partial<ItemValues> = {}

  for (const path of paths) {
    switch (path) {
      case 'title': {
        const title = f.title.trim()
        if (title.length === 0) bad('title', 'is required')
        else if (length(title) > LIMITS.title) bad('title', `must be at most ${LIMITS.title} characters`)
        else if (CONTROL.test(title)) bad('title', 'must not contain control characters')
        out.title = title
        break
      }
      case 'description':
        if (length(f.description) > LIMITS.description) bad('description', `must be at most ${LIMITS.description} characters`)
        else if (CONTROL.test(f.description)) bad('description', 'must not contain control characters')
        out.description = f.description
        break
      case 'tags':
        out.tags = checkTags(f.tags, (d) => bad('tags', d))
        break
      case 'attributes':
        out.attributes = checkAttributes(f.attributes, (d) => bad('attributes', d))
        break
      case 'price':
        out.price = checkPrice(f.price, (p, d) => bad(p, d))
        break
      case 'published_at': {
        const ts = f.published_at
        if (
          ts &&
          (Number(ts.seconds) < MIN_SECONDS || Number(ts.seconds) > MAX_SECONDS || ts.nanos < 0 || ts.nanos > 999_999_999)
        ) {
          bad('published_at', 'must be a date between the years 1000 and 9999')
        }
        out.published_at = ts ? fromTimestamp(ts) : null
        break
      }
    }
  }
  if (violations.length > 0) throw invalid(violations)
  return out
}

function checkTags(tags: string[], bad: (description: string) => void): string[] {
  if (tags.length > LIMITS.tags) {
    bad(`must be at most ${LIMITS.tags} tags`)
    return []
  }
  const normalised = new Set<string>()
  for (const raw of tags) {
    const tag = raw.trim()
    if (tag.length === 0 || length(tag) > LIMITS.tag || CONTROL.test(tag)) {
      bad(`each tag must be 1 to ${LIMITS.tag} characters without control characters`)
      return []
    }
    normalised.add(tag)
  }
  return [...normalised].sort()
}

function checkAttributes(struct: catalog.ItemFields__Output['attributes'], bad: (description: string) => void): JsonObject {
  let json: JsonObject
  try {
    json = structToJson(struct)
  } catch (err) {
    bad(err instanceof StructTooDeepError ? err.message : 'must be a JSON object')
    return {}
  }
  if (Buffer.byteLength(JSON.stringify(json)) > LIMITS.attributesBytes)
    bad(`must be at most ${LIMITS.attributesBytes} bytes as JSON`)
  if (JSON.stringify(json).includes('\\u0000')) bad('must not contain NUL characters')
  return json
}

function checkPrice(money: Money__Output | null, bad: (path: string, description: string) => void): Price | null {
  if (!money) return null
  const amount = BigInt(money.amount_minor)
  if (amount < 0n) bad('price.amount_minor', 'must not be negative')
  else if (amount > MAX_MINOR) bad('price.amount_minor', 'is too large')
  if (!CURRENCIES.has(money.currency)) bad('price.currency', 'must be an ISO 4217 code such as EUR or USD')
  return { amount_minor: amount.toString(), currency: money.currency }
}

/**
 * What an item says as JSON, as every reader shows it (the REST answer, the search index): its
 * natural key, its text, tags and attributes, and its date as an ISO 8601 instant. Its price and
 * bookkeeping each reader shapes its own way.
 */
export function itemContentToJson(item: catalog.Item__Output) {
  return {
    source: item.source,
    external_id: item.external_id,
    title: item.title,
    description: item.description,
    tags: item.tags,
    attributes: structToJson(item.attributes),
    published_at: item.published_at ? fromTimestamp(item.published_at).toISOString() : null,
  }
}
