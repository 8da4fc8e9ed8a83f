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

/** The deepest path a request can name (query/attribute-filters.ts): deeper values need no terms. */
const MAX_DEPTH = 4

/** A path of keys as the terms of attribute_values and attribute_numbers name it: `"dims"."h"`. */
export const lookupPath = (keys: readonly string[]) => keys.map((k) => JSON.stringify(k)).join('.')

/**
 * The scalars of an item's attributes by path, as PostgreSQL's lax jsonpath finds them: an array
 * on the way, or at the path, is looked into (one level: an array of arrays is not).
 */
function scalars(attributes: JsonObject, visit: (path: string, value: string | number | boolean) => void) {
  const walk = (keys: string[], value: Json, inArray: boolean) => {
    if (Array.isArray(value)) {
      if (!inArray) for (const element of value) walk(keys, element, true)
    } else if (isObject(value)) {
      if (keys.length < MAX_DEPTH) for (const [k, v] of Object.entries(value)) walk([...keys, k], v, false)
    } else if (value !== null && keys.length > 0) visit(lookupPath(keys), value)
  }
  walk([], attributes, false)
}

/** `path=json` of every scalar: the terms attribute facets count. */
export function attributeValues(attributes: JsonObject): string[] {
  const terms = new Set<string>()
  scalars(attributes, (path, value) => terms.add(`${path}=${JSON.stringify(value)}`))
  return [...terms]
}

/** Every number by path: what attribute ranges compare (a nested field, so a path and its number stay together). */
export function attributeNumbers(attributes: JsonObject): { path: string; value: number }[] {
  const numbers: { path: string; value: number }[] = []
  scalars(attributes, (path, value) => {
    if (typeof value === 'number') numbers.push({ path, value })
  })
  return numbers
}
