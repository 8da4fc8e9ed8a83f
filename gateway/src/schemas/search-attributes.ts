import type { JsonObject, search } from '@catalog/proto'
import { codes, GatewayError } from '../errors.ts'
import { ATTR_LIMITS } from './search.ts'

/*
 * The `attr.*` query parameters: `attr.color=red` (equality, merged into the attributes filter as
 * JSON containment), `attr.year.gte=2010` and `attr.year.lte=2020` (numeric bounds on a path).
 * Checked here so that a mistake names the parameter as the client wrote it.
 */

const KEY = /^[\p{L}\p{N}_-]+$/u
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/
const BOUNDS = { gte: 'min', lte: 'max' } as const

const refuse = (field: string, description: string) =>
  new GatewayError(codes.validation, {
    detail: `${field} ${description}.`,
    violations: [{ field, description }],
  })

/** The keys of a dotted attribute path, bounded like the search service bounds them. */
export function pathKeys(path: string, field: string): string[] {
  const keys = path.split('.')
  if (keys.length > ATTR_LIMITS.depth) throw refuse(field, `must name a path at most ${ATTR_LIMITS.depth} keys deep`)
  if (keys.some((k) => !KEY.test(k) || [...k].length > ATTR_LIMITS.key))
    throw refuse(field, `must name a path of keys of 1 to ${ATTR_LIMITS.key} letters, digits, _ or -, joined by dots`)
  return keys
}

/** An equality value: JSON when it reads as a number, true, false, null or a "quoted" string, else the text. */
function equalityValue(text: string, field: string): JsonObject[string] {
  if (NUMBER.test(text) || ['true', 'false', 'null'].includes(text) || text.startsWith('"')) {
    try {
      return JSON.parse(text) as JsonObject[string]
    } catch {
      throw refuse(field, 'must be a JSON string when it starts with a quote')
    }
  }
  return text
}

/** Sets `value` at `keys` in `into`; a path that another value (or the attributes object) already sets is refused. */
function setAt(into: JsonObject, keys: string[], value: JsonObject[string], field: string) {
  let node = into
  for (const key of keys.slice(0, -1)) {
    const next = node[key] ?? {}
    if (typeof next !== 'object' || next === null || Array.isArray(next))
      throw refuse(field, 'conflicts with another attribute filter')
    node[key] = next
    node = next
  }
  const last = keys.at(-1) ?? ''
  if (last in node) throw refuse(field, 'conflicts with another attribute filter')
  node[last] = value
}

/** The attributes filter (merged with `attributes`, when given) and the ranges the `attr.*` parameters ask for. */
export function attributeParams(
  query: Record<string, unknown>,
  attributes: JsonObject | undefined,
): { attributes: JsonObject | undefined; ranges: search.AttributeRange[] } {
  const params = Object.entries(query).filter(([name]) => name.startsWith('attr.'))
  if (params.length > ATTR_LIMITS.params) throw refuse('query.attr', `must be at most ${ATTR_LIMITS.params} parameters`)
  let filter = attributes
  const ranges = new Map<string, search.AttributeRange>()
  for (const [name, raw] of params) {
    const field = `query.${name}`
    const text = String(raw)
    const bound = name.match(/\.(gte|lte)$/)?.[1] as keyof typeof BOUNDS | undefined
    const path = name.slice('attr.'.length, bound ? -bound.length - 1 : undefined)
    const keys = pathKeys(path, field)
    if (!bound) {
      filter = filter ?? {}
      setAt(filter, keys, equalityValue(text, field), field)
      continue
    }
    if (!NUMBER.test(text) || !Number.isFinite(Number(text))) throw refuse(field, 'must be a number')
    const range = ranges.get(path) ?? { path }
    range[BOUNDS[bound]] = Number(text)
    ranges.set(path, range)
    if (range.min !== undefined && range.max !== undefined && Number(range.min) > Number(range.max))
      throw refuse(`query.attr.${path}.gte`, `must not exceed attr.${path}.lte`)
  }
  if (ranges.size > ATTR_LIMITS.ranges) throw refuse('query.attr', `must bound at most ${ATTR_LIMITS.ranges} paths`)
  return { attributes: filter, ranges: [...ranges.values()] }
}
