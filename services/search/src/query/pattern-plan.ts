import type { Branch } from './pattern-syntax.ts'
import { parsePattern } from './pattern-syntax.ts'

/**
 * What a pattern lets the index narrow, read from the tree pattern-syntax.ts made of it. A pattern
 * is narrowed by a literal prefix when it is anchored (`^brass lamp` matches only values that
 * begin with `brass lamp`: a range of a byte-ordered index) or by the trigrams of a literal run of
 * three letters or digits in every alternative (`brass.*lamp`, through pg_trgm). One with neither
 * (`^[a-z]+ [0-9]{3}$`) would be checked against every item of the tenant.
 */
export interface PatternPlan {
  /** The literal text every match begins with, when the pattern is anchored and starts with one. */
  prefix?: string
  narrowed: boolean
}

/** The longest prefix the index can use: the description's index holds its first 100 characters. */
export const PREFIX_MAX = 100

/** The first code points of a text, as PostgreSQL's left() counts them. */
export const startOf = (text: string, n = PREFIX_MAX) => [...text].slice(0, n).join('')
/** pg_trgm builds trigrams of words: a run of three letters or digits gives one at least. */
const TRIGRAM_RUN = 3
const WORD = /^[\p{L}\p{N}]$/u

/**
 * The characters an anchored alternative surely begins with: its leading literals, and the first
 * of a repetition that needs at least one (`^abc+` begins with `abc`).
 */
function prefixOf(branch: Branch): string | undefined {
  const prefix: string[] = []
  for (const node of branch.nodes) {
    if (node.kind === 'char') prefix.push(node.c)
    else {
      if (node.kind === 'repeat' && node.min >= 1 && node.node.kind === 'char') prefix.push(node.node.c)
      break
    }
  }
  return prefix.length >= 2 ? prefix.slice(0, PREFIX_MAX).join('') : undefined
}

/** Whether the alternative holds, outside groups and repetitions, a literal run the trigram index can use. */
function hasTrigrams(branch: Branch): boolean {
  let run = 0
  for (const node of branch.nodes) {
    run = node.kind === 'char' && WORD.test(node.c) ? run + 1 : 0
    if (run >= TRIGRAM_RUN) return true
  }
  return false
}

/** How the index can narrow a pattern read into `branches`. */
export function planOf(branches: readonly Branch[]): PatternPlan {
  const [only] = branches
  const prefix = branches.length === 1 && only?.start ? prefixOf(only) : undefined
  return { prefix, narrowed: prefix !== undefined || (branches.length > 0 && branches.every(hasTrigrams)) }
}

/** The same, from a pattern's text; a pattern search refuses narrows nothing. */
export function patternPlan(pattern: string): PatternPlan {
  const read = parsePattern(pattern)
  return read.ok ? planOf(read.branches) : { narrowed: false }
}

export const anchoredPrefix = (pattern: string): string | undefined => patternPlan(pattern).prefix
