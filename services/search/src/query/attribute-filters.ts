import type { search } from '@catalog/proto'

/*
 * What a request asks of attribute paths beyond JSON containment: numeric ranges, facets of their
 * values, a histogram of prices. Checked here once, for every engine alike; each engine writes
 * them its own way (search-sql.ts, opensearch-query.ts).
 */

export const ATTRIBUTE_LIMITS = {
  ranges: 10,
  pathDepth: 4,
  pathKey: 64,
  facets: 5,
  facetSize: 50,
  defaultFacetSize: 10,
  histogramBuckets: 100,
} as const

/** A dotted path into attributes, as its keys: `dims.height` is ['dims', 'height']. */
export type AttributePath = string[]

export interface AttributeRange {
  path: AttributePath
  min?: number
  max?: number
}

/** `tags`, or the values at an attribute path (`attr.color`), as the request named it. */
export interface FacetRequest {
  field: string
  path?: AttributePath
}

type Bad = (field: string, description: string) => void

const KEY = /^[\p{L}\p{N}_-]+$/u

/** A dotted path of plain keys, bounded in depth and key length; undefined (and `bad`) when not. */
export function attributePathOf(text: string, field: string, bad: Bad): AttributePath | undefined {
  const keys = text.split('.')
  if (keys.length > ATTRIBUTE_LIMITS.pathDepth) {
    bad(field, `must be at most ${ATTRIBUTE_LIMITS.pathDepth} keys deep`)
    return undefined
  }
  if (keys.some((k) => !KEY.test(k) || [...k].length > ATTRIBUTE_LIMITS.pathKey)) {
    bad(field, `must be keys of 1 to ${ATTRIBUTE_LIMITS.pathKey} letters, digits, _ or -, joined by dots`)
    return undefined
  }
  return keys
}

export function rangesOf(ranges: search.AttributeRange__Output[], bad: Bad): AttributeRange[] {
  if (ranges.length > ATTRIBUTE_LIMITS.ranges) {
    bad('attribute_ranges', `must be at most ${ATTRIBUTE_LIMITS.ranges} ranges`)
    return []
  }
  const out: AttributeRange[] = []
  ranges.forEach((r, i) => {
    const field = `attribute_ranges[${i}]`
    const path = attributePathOf(r.path, `${field}.path`, bad)
    const min = r.min ?? undefined
    const max = r.max ?? undefined
    if (min === undefined && max === undefined) bad(field, 'needs min or max')
    for (const [name, value] of [
      ['min', min],
      ['max', max],
    ] as const)
      if (value !== undefined && !Number.isFinite(value)) bad(`${field}.${name}`, 'must be a finite number')
    if (min !== undefined && max !== undefined && min > max) bad(`${field}.min`, 'must not exceed max')
    if (path) out.push({ path, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) })
  })
  return out
}

export function facetsOf(names: string[], size: number, bad: Bad): { facets: FacetRequest[]; facetSize: number } {
  if (size < 0 || size > ATTRIBUTE_LIMITS.facetSize) bad('facet_size', `must be between 1 and ${ATTRIBUTE_LIMITS.facetSize}`)
  if (names.length > ATTRIBUTE_LIMITS.facets) bad('facets', `must be at most ${ATTRIBUTE_LIMITS.facets} facets`)
  if (new Set(names).size !== names.length) bad('facets', 'must name each facet once')
  const facets: FacetRequest[] = []
  for (const name of names.slice(0, ATTRIBUTE_LIMITS.facets)) {
    if (name === 'tags') facets.push({ field: name })
    else if (name.startsWith('attr.')) {
      const path = attributePathOf(name.slice('attr.'.length), 'facets', bad)
      if (path) facets.push({ field: name, path })
    } else bad('facets', 'each must be tags or attr.<path>, such as attr.color')
  }
  return { facets, facetSize: size || ATTRIBUTE_LIMITS.defaultFacetSize }
}

/** A histogram's bucket width: positive, and with a currency (prices of two currencies do not add up). */
export function histogramOf(width: string, currency: string, bad: Bad): string | undefined {
  if (BigInt(width) === 0n) return undefined
  if (BigInt(width) < 0n) bad('price_histogram', 'must be a positive bucket width in minor units')
  else if (!currency) bad('price_histogram', 'needs currency')
  return width
}

/** The words of a typo-tolerant `q`: plain words only, so that each can be matched loosely alone. */
export function typoWordsOf(q: string | undefined, prefix: boolean, bad: Bad): string[] | undefined {
  if (!q) {
    bad('typo', 'needs q')
    return undefined
  }
  if (prefix) bad('typo', 'cannot be combined with prefix')
  const words = q.split(/\s+/u)
  if (words.some((w) => !/^[\p{L}\p{N}][\p{L}\p{N}'-]*$/u.test(w) || /^or$/i.test(w)))
    bad('typo', 'needs q of plain words (no quotes, -not or or)')
  else if (words.length > 8) bad('typo', 'needs q of at most 8 words')
  return words
}
