import type { catalog, JsonObject } from '@catalog/proto'
import { checkFields, checkNaturalKey, events, FIELD_PATHS, ItemRulesError, jsonToStruct, toTimestamp } from '@catalog/proto'

/** A record ready for ingestion.record.v1: its Kafka key and encoded payload. */
export interface MappedRecord {
  key: string
  payload: Buffer
}

export interface RecordError {
  field: string
  reason: string
}

const KNOWN = new Set(['source', 'external_id', 'title', 'description', 'tags', 'attributes', 'price', 'published_at'])
const DIGITS = /^\d{1,19}$/

class FieldError extends Error {
  readonly field: string
  constructor(field: string, reason: string) {
    super(reason)
    this.field = field
  }
}

/**
 * Maps one input object (the REST item shape: `source`, `external_id`, `title`, `price: {
 * amount_minor, currency }`, ...) to a record for the catalog, validated with the item's rules of
 * the contract (the catalog's own), so a bad record is refused here with its field instead of
 * failing later.
 */
export function mapItem(
  value: Record<string, unknown>,
  context: { tenant: string; jobId: string; position: number; defaultSource: string },
): MappedRecord | RecordError {
  try {
    for (const key of Object.keys(value)) if (!KNOWN.has(key)) throw new FieldError(key, 'is not a field of an item')
    const source = value.source === undefined ? context.defaultSource : text(value, 'source')
    const externalId = typeof value.external_id === 'number' ? String(value.external_id) : text(value, 'external_id')
    const fields: catalog.ItemFields = {
      title: text(value, 'title'),
      description: value.description === undefined ? '' : text(value, 'description'),
      tags: tags(value.tags),
      attributes: jsonToStruct(attributes(value.attributes)),
      price: price(value.price),
      published_at: date(value.published_at),
    }
    const payload = events.recordSubmitted.encode({
      tenant: context.tenant,
      source,
      external_id: externalId,
      fields,
      job_id: context.jobId,
      position: String(context.position),
    })
    // Validate what the catalog will decode, with the catalog's rules.
    const decoded = events.recordSubmitted.decode(payload)
    checkNaturalKey(decoded.source, decoded.external_id)
    checkFields(decoded.fields, FIELD_PATHS)
    return { key: `${context.tenant}/${source}/${externalId}`, payload }
  } catch (err) {
    if (err instanceof FieldError) return { field: err.field, reason: err.message }
    if (err instanceof ItemRulesError) {
      const v = err.violations[0]
      return { field: v?.field.replace(/^fields\./, '') ?? '', reason: v?.description ?? err.message }
    }
    throw err
  }
}

export const isRecordError = (r: MappedRecord | RecordError): r is RecordError => 'reason' in r

function text(value: Record<string, unknown>, field: string): string {
  const v = value[field]
  if (v === undefined || v === null) throw new FieldError(field, 'is required')
  if (typeof v !== 'string') throw new FieldError(field, 'must be a string')
  return v
}

function tags(v: unknown): string[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw new FieldError('tags', 'must be an array of strings')
  return v as string[]
}

function attributes(v: unknown): JsonObject {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw new FieldError('attributes', 'must be a JSON object')
  return v as JsonObject
}

function price(v: unknown): catalog.ItemFields['price'] {
  if (v === undefined || v === null) return null
  if (typeof v !== 'object' || Array.isArray(v)) throw new FieldError('price', 'must be an object with amount_minor and currency')
  const { amount_minor: amount, currency, ...rest } = v as Record<string, unknown>
  const extra = Object.keys(rest)[0]
  if (extra) throw new FieldError(`price.${extra}`, 'is not a field of a price')
  const minor = typeof amount === 'number' && Number.isSafeInteger(amount) ? String(amount) : amount
  if (typeof minor !== 'string' || !DIGITS.test(minor))
    throw new FieldError('price.amount_minor', 'must be a non-negative integer of minor units')
  if (typeof currency !== 'string') throw new FieldError('price.currency', 'must be an ISO 4217 code such as EUR or USD')
  return { amount_minor: minor, currency }
}

function date(v: unknown): catalog.ItemFields['published_at'] {
  if (v === undefined || v === null || v === '') return null
  const d = typeof v === 'string' ? new Date(v) : new Date(Number.NaN)
  if (Number.isNaN(d.getTime())) throw new FieldError('published_at', 'must be an RFC 3339 date-time')
  return toTimestamp(d)
}
