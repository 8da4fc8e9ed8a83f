import type { Struct, Struct__Output } from './gen/google/protobuf/Struct.ts'
import type { Value, Value__Output } from './gen/google/protobuf/Value.ts'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

/** Nesting beyond this is refused rather than walked, so a hostile message cannot exhaust the stack. */
export const MAX_STRUCT_DEPTH = 32

export class StructTooDeepError extends RangeError {
  constructor() {
    super(`nested deeper than ${MAX_STRUCT_DEPTH} levels`)
  }
}

/** A plain JSON object from a google.protobuf.Struct; throws StructTooDeepError past MAX_STRUCT_DEPTH. */
export function structToJson(struct: Struct__Output | null | undefined, depth = 0): JsonObject {
  if (depth > MAX_STRUCT_DEPTH) throw new StructTooDeepError()
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value, depth + 1)
  return out
}

function valueToJson(value: Value__Output, depth: number): Json {
  switch (value.kind) {
    case 'structValue':
      return structToJson(value.structValue, depth)
    case 'listValue':
      if (depth > MAX_STRUCT_DEPTH) throw new StructTooDeepError()
      return (value.listValue?.values ?? []).map((v) => valueToJson(v, depth + 1))
    case 'stringValue':
      return value.stringValue ?? ''
    case 'numberValue':
      return value.numberValue ?? 0
    case 'boolValue':
      return value.boolValue ?? false
    default:
      return null
  }
}

/** A google.protobuf.Struct from a plain JSON object. */
export function jsonToStruct(json: JsonObject): Struct {
  const fields: Record<string, Value> = {}
  for (const [key, value] of Object.entries(json)) fields[key] = jsonToValue(value)
  return { fields }
}

function jsonToValue(json: Json): Value {
  if (json === null) return { nullValue: 'NULL_VALUE' }
  if (Array.isArray(json)) return { listValue: { values: json.map(jsonToValue) } }
  switch (typeof json) {
    case 'string':
      return { stringValue: json }
    case 'number':
      return { numberValue: json }
    case 'boolean':
      return { boolValue: json }
    default:
      return { structValue: jsonToStruct(json) }
  }
}
