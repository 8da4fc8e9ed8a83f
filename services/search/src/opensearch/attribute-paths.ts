import type { Json, JsonObject } from '@catalog/proto'

/*
 * JSON containment (PostgreSQL's `attributes @> filter`) as keyword terms. An item's attributes
 * become one term per value, naming the value's path and its JSON text: {"dims": {"h": 30}} holds
 * `"dims"."h"=30`, {"langs": ["ts"]} holds `"langs"[]="ts"`, so a number is not its text and a
 * value in an array is not the value itself, as in jsonb. Every object and array also leaves a
 * marker (`"dims"={}`, `"langs"=[]`), which an empty object or array in a filter asks for. A filter
 * is contained when the item holds all of the filter's terms. Unlike jsonb, the terms of objects
 * inside one array are not kept apart: {"a": [{"b": 1, "c": 2}]} asks for a b of 1 and a c of 2 in
 * any of a's objects, not in the same one.
 */

const key = (path: string, k: string) => `${path}${path ? '.' : ''}${JSON.stringify(k)}`
const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The terms an item's attributes hold. */
export function attributePaths(attributes: JsonObject): string[] {
  const terms = new Set<string>()
  const walk = (path: string, value: Json) => {
    if (Array.isArray(value)) {
      terms.add(`${path}=[]`)
      for (const element of value) walk(`${path}[]`, element)
    } else if (isObject(value)) {
      if (path) terms.add(`${path}={}`)
      for (const [k, v] of Object.entries(value)) walk(key(path, k), v)
    } else terms.add(`${path}=${JSON.stringify(value)}`)
  }
  walk('', attributes)
  return [...terms]
}

/** The terms an item must hold for its attributes to contain `filter`. */
export function containmentPaths(filter: JsonObject): string[] {
  const terms = new Set<string>()
  const walk = (path: string, value: Json) => {
    if (Array.isArray(value)) {
      if (value.length === 0) terms.add(`${path}=[]`)
      for (const element of value) walk(`${path}[]`, element)
    } else if (isObject(value)) {
      const entries = Object.entries(value)
      if (entries.length === 0 && path) terms.add(`${path}={}`)
      for (const [k, v] of entries) walk(key(path, k), v)
    } else terms.add(`${path}=${JSON.stringify(value)}`)
  }
  walk('', filter)
  return [...terms]
}
