/**
 * What a regular expression lets the index narrow, read from its text before it runs. A pattern
 * is narrowed by a literal prefix when it is anchored (`^brass lamp` matches only values that begin
 * with `brass lamp`: a range of a byte-ordered index) or by the trigrams of a literal run of
 * three letters or digits (`brass.*lamp`, through pg_trgm). One with neither (`^[a-z]+ [0-9]{3}$`)
 * would be checked against every item of the tenant.
 *
 * The reading is conservative, not a parser of PostgreSQL's ARE syntax: whatever it does not
 * recognise (escapes, groups, bracket expressions, embedded options) counts as not narrowing, so
 * the worst it does is refuse a pattern on a large catalog that PostgreSQL could have narrowed.
 * No library reads ARE syntax; JavaScript regex parsers differ on exactly these constructs.
 */

const META = new Set(['\\', '^', '$', '.', '[', ']', '|', '(', ')', '?', '*', '+', '{', '}'])
/** Quantifiers that make the atom before them optional. */
const OPTIONAL = new Set(['?', '*', '{'])
/** The longest prefix the index can use: the description's index holds its first 100 characters. */
export const PREFIX_MAX = 100
/** pg_trgm builds trigrams of words: a run of three letters or digits gives one at least. */
const TRIGRAM_RUN = 3
const WORD = /^[\p{L}\p{N}]$/u

/** The literal text every match begins with, when the pattern is anchored and starts with one. */
export function anchoredPrefix(pattern: string): string | undefined {
  // An alternation anywhere may hold a branch without the anchor; `***` and `(?` change the rules.
  if (!pattern.startsWith('^') || pattern.includes('|')) return undefined
  const chars = [...pattern.slice(1)]
  const prefix: string[] = []
  for (const c of chars) {
    if (META.has(c)) {
      if (OPTIONAL.has(c)) prefix.pop()
      break
    }
    prefix.push(c)
  }
  return prefix.length >= 2 ? prefix.slice(0, PREFIX_MAX).join('') : undefined
}

/** Whether every top-level alternative holds a literal run the trigram index can use. */
function everyBranchHasTrigrams(pattern: string): boolean {
  const chars = [...pattern]
  let depth = 0
  let run = 0
  let branchHas = false
  const endRun = (dropLast: boolean) => {
    const length = dropLast ? run - 1 : run
    if (depth === 0 && length >= TRIGRAM_RUN) branchHas = true
    run = 0
  }
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string
    if (c === '\\') {
      endRun(false)
      i++
    } else if (c === '[') {
      endRun(false)
      // A bracket expression ends at the first `]` that is not its first member; `[:alpha:]` inside it too.
      let j = i + 1
      if (chars[j] === '^') j++
      if (chars[j] === ']') j++
      while (j < chars.length && chars[j] !== ']') {
        if (chars[j] === '[' && (chars[j + 1] === ':' || chars[j + 1] === '.' || chars[j + 1] === '=')) {
          const close = chars.indexOf(chars[j + 1] as string, j + 2)
          j = close < 0 ? chars.length : close + 1
        }
        j++
      }
      i = j
    } else if (c === '(') {
      endRun(false)
      depth++
    } else if (c === ')') {
      endRun(false)
      depth = Math.max(0, depth - 1)
    } else if (c === '|') {
      endRun(false)
      if (depth === 0) {
        if (!branchHas) return false
        branchHas = false
      }
    } else if (OPTIONAL.has(c)) {
      endRun(true)
    } else if (WORD.test(c)) {
      run++
    } else {
      endRun(false)
    }
  }
  endRun(false)
  return branchHas
}

/** How the index can narrow a pattern: by an anchored prefix, by trigrams, or not at all. */
export function patternPlan(pattern: string): { prefix?: string; narrowed: boolean } {
  // `***=` makes the rest a literal string; any other director changes the syntax: not read.
  if (pattern.startsWith('***')) {
    const literal = pattern.startsWith('***=') ? pattern.slice(4) : ''
    return { narrowed: /[\p{L}\p{N}]{3}/u.test(literal) }
  }
  if (pattern.startsWith('(?')) return { narrowed: false }
  const prefix = anchoredPrefix(pattern)
  return { prefix, narrowed: prefix !== undefined || everyBranchHasTrigrams(pattern) }
}
