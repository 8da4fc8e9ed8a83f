import type { Struct, Struct__Output } from './gen/google/protobuf/Struct.ts'
import type { Value, Value__Output } from './gen/google/protobuf/Value.ts'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

/** A plain JSON object from a google.protobuf.Struct. */
export function structToJson(struct: Struct__Output | null | undefined): JsonObject {
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value)
  return out
}

function valueToJson(value: Value__Output): Json {
  switch (value.kind) {
    case 'structValue':
      return structToJson(value.structValue)
    case 'listValue':
      return (value.listValue?.values ?? []).map(valueToJson)
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
