import type { RawRecord } from './record-limits.ts'
import { RECORD_LIMITS } from './record-limits.ts'

/** A record read from the input: a JSON object, or why it is not one. */
export type DecodedRecord =
  | { position: number; raw: Buffer; value: Record<string, unknown>; error?: undefined }
  | { position: number; raw: Buffer; value?: undefined; error: { field: string; reason: string } }

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** Decodes one cut record (an NDJSON line or an array element) into an object, within the limits. */
export function decodeJsonRecord(record: RawRecord, maxDepth: number = RECORD_LIMITS.depth): DecodedRecord {
  const { position, bytes: raw } = record
  if (record.error) return { position, raw, error: { field: '', reason: record.error } }
  let text: string
  try {
    text = utf8.decode(raw)
  } catch {
    return { position, raw, error: { field: '', reason: 'not valid UTF-8' } }
  }
  if ((record.depth ?? nestingDepth(text)) > maxDepth)
    return { position, raw, error: { field: '', reason: `nested deeper than ${maxDepth} levels` } }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { position, raw, error: { field: '', reason: `not valid JSON: ${(err as Error).message}` } }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { position, raw, error: { field: '', reason: 'must be a JSON object' } }
  }
  return { position, raw, value: value as Record<string, unknown> }
}

/** The deepest nesting of brackets outside strings: checked before JSON.parse ever recurses. */
export function nestingDepth(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      depth++
      if (depth > max) max = depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return max
}
