/*
 * The regular expressions search accepts: what PostgreSQL's AREs and Lucene's RegExp (OpenSearch's
 * `regexp` on a `wildcard` field) both do, with the same meaning. A pattern is read once, here,
 * into a tree; the PostgreSQL engine runs the tree written back as an ARE, the OpenSearch engine
 * the same tree as a Lucene regexp. Whatever only one of them can do is refused, on both, with a
 * 400 naming `pattern` that says what and how to write it instead:
 *
 *   accepted   literals; `.`; brackets `[a-z_]`, `[^0-9]`; groups `(…)`, `(?:…)`; `|`; `*` `+` `?`
 *              `{n}` `{n,}` `{n,m}` (n, m ≤ 255; a lazy `?` after one is accepted and changes
 *              nothing, since a search asks only whether a value matches); `\d` `\s` `\w` and
 *              `\D` `\S` `\W` as the ASCII classes [0-9], [ \t\n\r\f\v], [0-9A-Za-z_]; `\t` `\n`
 *              `\r` `\f` `\v`; a backslash before any punctuation for the character itself; `^`
 *              and `$` at the start and end of the pattern or of one of its top-level alternatives.
 *   refused    POSIX classes ([[:alpha:]]), collating elements and equivalence classes, lookahead
 *              and lookbehind, back-references, word and string boundaries (\y \m \M \A \Z \b),
 *              other letter escapes (\x41, \u00e9), embedded options ((?i)) and directors (***),
 *              `^` or `$` anywhere else, and repetitions that nest beyond MAX_EXPANSION characters.
 *
 * Matching is case-sensitive and over each whole value (title, description) on both engines:
 * without `^` a branch may begin anywhere, without `$` end anywhere.
 */

export type Node =
  | { kind: 'char'; c: string }
  | { kind: 'any' }
  | { kind: 'class'; negated: boolean; ranges: [string, string][] }
  | { kind: 'group'; alternatives: Node[][] }
  | { kind: 'repeat'; node: Node; min: number; max: number | undefined }

/** A top-level alternative: its pieces, and whether it is anchored at either end. */
export interface Branch {
  start: boolean
  end: boolean
  nodes: Node[]
}

export type PatternResult = { ok: true; branches: Branch[] } | { ok: false; description: string }

/** ARE's limit on a bound (RE_DUP_MAX). */
const MAX_BOUND = 255
/** Characters a pattern may stand for once its bounded repetitions are written out. */
export const MAX_EXPANSION = 1_000

const DIGITS: [string, string][] = [['0', '9']]
const SPACES: [string, string][] = [' ', '\t', '\n', '\r', '\f', '\v'].map((c) => [c, c])
const WORD: [string, string][] = [
  ['0', '9'],
  ['A', 'Z'],
  ['a', 'z'],
  ['_', '_'],
]
const SHORTHANDS: Record<string, [string, string][]> = { d: DIGITS, s: SPACES, w: WORD }
const CONTROLS: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v' }

const REFUSED = {
  posixClass: 'uses a POSIX class ([:alpha:]), which search does not support: list the characters instead ([a-zA-Z])',
  collating: 'uses a collating element or equivalence class ([.a.], [=e=]), which search does not support',
  lookaround: 'uses a lookahead or lookbehind ((?=…), (?!…), (?<=…), (?<!…)), which search does not support',
  options: 'uses embedded options or a director ((?i), ***), which search does not support',
  backReference: 'uses a back-reference (\\1), which search does not support',
  boundary: 'uses a word or string boundary (\\y, \\m, \\M, \\A, \\Z, \\b), which search does not support: anchor with ^ and $',
  escape: (c: string) =>
    `uses the escape \\${c}, which search does not support: write the character itself, or put a backslash only before punctuation`,
  anchor: 'uses ^ or $ inside the pattern: they may only begin and end it, or one of its top-level alternatives (^brass|lamp$)',
  negatedInBrackets: 'uses \\D, \\S or \\W inside brackets, which search does not support: write [^0-9] and the like',
  tooComplex: `is too complex: its bounded repetitions would stand for more than ${MAX_EXPANSION} characters`,
}

class Refusal extends Error {}
const invalidSyntax = (what: string) => new Refusal(`is not a valid regular expression: ${what}`)

/** Reads a pattern into the tree both engines run, or says why it is refused. */
export function parsePattern(pattern: string): PatternResult {
  try {
    const branches = new Parser([...pattern]).pattern()
    if (branches.reduce((n, b) => n + expansion(b.nodes), 0) > MAX_EXPANSION) throw new Refusal(REFUSED.tooComplex)
    return { ok: true, branches }
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, description: err.message }
    throw err
  }
}

const expansion = (nodes: Node[]): number => nodes.reduce((n, node) => n + expansionOf(node), 0)
function expansionOf(node: Node): number {
  if (node.kind === 'group') return node.alternatives.reduce((n, a) => n + expansion(a), 0)
  if (node.kind === 'repeat') return expansionOf(node.node) * (node.max ?? Math.max(node.min, 1))
  return 1
}

class Parser {
  private at = 0
  private readonly chars: string[]
  constructor(chars: string[]) {
    this.chars = chars
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.at + offset]
  }

  private next(): string {
    const c = this.chars[this.at++]
    if (c === undefined) throw invalidSyntax('it ends too soon')
    return c
  }

  pattern(): Branch[] {
    if (this.peek() === '*' && this.peek(1) === '*' && this.peek(2) === '*') throw new Refusal(REFUSED.options)
    const branches: Branch[] = []
    for (;;) {
      const start = this.peek() === '^'
      if (start) this.at++
      const nodes = this.sequence(true)
      const end = this.peek() === '$'
      if (end) this.at++
      branches.push({ start, end, nodes })
      const c = this.peek()
      if (c === undefined) return branches
      if (c === '|') this.at++
      else if (c === ')') throw invalidSyntax(') without (')
      else throw new Refusal(REFUSED.anchor)
    }
  }

  /** Pieces up to `|`, `)`, the end, or (at the top) a `$` that ends the branch. */
  private sequence(top: boolean): Node[] {
    const nodes: Node[] = []
    for (;;) {
      const c = this.peek()
      if (c === undefined || c === '|' || c === ')') return nodes
      if (c === '$' && top && (this.peek(1) === undefined || this.peek(1) === '|')) return nodes
      if (c === '^' || c === '$') throw new Refusal(REFUSED.anchor)
      const atom = this.atom()
      nodes.push(this.quantified(atom))
    }
  }

  private atom(): Node {
    const c = this.next()
    switch (c) {
      case '.':
        return { kind: 'any' }
      case '[':
        return this.bracket()
      case '(':
        return this.group()
      case '\\':
        return this.escape()
      case '*':
      case '+':
      case '?':
        throw invalidSyntax(`${c} follows nothing it could repeat`)
      case '{':
        if (isDigit(this.peek())) throw invalidSyntax('{ follows nothing it could repeat')
        return { kind: 'char', c }
      default:
        return { kind: 'char', c }
    }
  }

  private group(): Node {
    if (this.peek() === '?') {
      const kind = this.peek(1)
      if (kind === ':') this.at += 2
      else if (kind === '=' || kind === '!' || kind === '<') throw new Refusal(REFUSED.lookaround)
      else throw new Refusal(REFUSED.options)
    }
    const alternatives: Node[][] = [this.sequence(false)]
    while (this.peek() === '|') {
      this.at++
      alternatives.push(this.sequence(false))
    }
    if (this.peek() !== ')') throw invalidSyntax('( without )')
    this.at++
    return { kind: 'group', alternatives }
  }

  private escape(): Node {
    const c = this.next()
    const shorthand = SHORTHANDS[c.toLowerCase()]
    if (shorthand) return { kind: 'class', negated: c !== c.toLowerCase(), ranges: shorthand }
    const control = CONTROLS[c]
    if (control) return { kind: 'char', c: control }
    if (/[1-9]/.test(c)) throw new Refusal(REFUSED.backReference)
    if ('AZbBmMyY'.includes(c)) throw new Refusal(REFUSED.boundary)
    if (/[\p{L}\p{N}]/u.test(c)) throw new Refusal(REFUSED.escape(c))
    return { kind: 'char', c }
  }

  private bracket(): Node {
    const negated = this.peek() === '^'
    if (negated) this.at++
    const ranges: [string, string][] = []
    let first = true
    for (;;) {
      const c = this.peek()
      if (c === undefined) throw invalidSyntax('[ without ]')
      if (c === ']' && !first) {
        this.at++
        break
      }
      first = false
      if (c === '[' && (this.peek(1) === ':' || this.peek(1) === '.' || this.peek(1) === '=')) {
        throw new Refusal(this.peek(1) === ':' ? REFUSED.posixClass : REFUSED.collating)
      }
      const from = this.bracketChar(ranges)
      if (from === undefined) continue
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.at++
        const to = this.bracketChar(ranges)
        if (to === undefined) throw invalidSyntax('a range ends in a class')
        if ((to.codePointAt(0) ?? 0) < (from.codePointAt(0) ?? 0)) throw invalidSyntax(`the range ${from}-${to} is backwards`)
        ranges.push([from, to])
      } else ranges.push([from, from])
    }
    return { kind: 'class', negated, ranges }
  }

  /** One character of a bracket, or undefined when it was a shorthand class (added to `ranges`). */
  private bracketChar(ranges: [string, string][]): string | undefined {
    const c = this.next()
    if (c !== '\\') return c
    const e = this.next()
    const shorthand = SHORTHANDS[e]
    if (shorthand) {
      ranges.push(...shorthand)
      return undefined
    }
    if (SHORTHANDS[e.toLowerCase()]) throw new Refusal(REFUSED.negatedInBrackets)
    const control = CONTROLS[e]
    if (control) return control
    if (/[\p{L}\p{N}]/u.test(e)) throw new Refusal(REFUSED.escape(e))
    return e
  }

  private quantified(atom: Node): Node {
    let node = atom
    for (;;) {
      const c = this.peek()
      let bounds: [number, number | undefined] | undefined
      if (c === '*') bounds = [0, undefined]
      else if (c === '+') bounds = [1, undefined]
      else if (c === '?') bounds = [0, 1]
      else if (c === '{' && isDigit(this.peek(1))) bounds = this.bound()
      if (!bounds) return node
      if (node.kind === 'repeat') throw invalidSyntax('a repetition is repeated again without a group')
      if (c !== '{') this.at++
      // A lazy quantifier matches the same values: whether a value matches is all a search asks.
      if (this.peek() === '?') this.at++
      node = { kind: 'repeat', node, min: bounds[0], max: bounds[1] }
    }
  }

  private bound(): [number, number | undefined] {
    this.at++ // {
    const number = () => {
      let digits = ''
      while (isDigit(this.peek())) digits += this.next()
      return digits === '' ? undefined : Number(digits)
    }
    const min = number() ?? 0
    let max: number | undefined = min
    if (this.peek() === ',') {
      this.at++
      max = number()
    }
    if (this.next() !== '}') throw invalidSyntax('a bound {n,m} is not closed')
    if (min > MAX_BOUND || (max ?? 0) > MAX_BOUND) throw invalidSyntax(`a bound is above ${MAX_BOUND}`)
    if (max !== undefined && max < min) throw invalidSyntax(`the bound {${min},${max}} is backwards`)
    return [min, max]
  }
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'

/** Characters that mean something in an ARE outside brackets: written with a backslash. */
const ARE_META = new Set(['\\', '^', '$', '.', '[', ']', '|', '(', ')', '?', '*', '+', '{', '}'])
/** Inside brackets. */
const ARE_BRACKET_META = new Set(['\\', ']', '[', '^', '-'])

/** The tree as a PostgreSQL ARE: what the PostgreSQL engine runs. */
export function toPostgresRegex(branches: Branch[]): string {
  const char = (c: string, meta: Set<string>) => (meta.has(c) ? `\\${c}` : c)
  const node = (n: Node): string => {
    switch (n.kind) {
      case 'char':
        return char(n.c, ARE_META)
      case 'any':
        return '.'
      case 'class':
        return `[${n.negated ? '^' : ''}${n.ranges
          .map(([a, b]) => (a === b ? char(a, ARE_BRACKET_META) : `${char(a, ARE_BRACKET_META)}-${char(b, ARE_BRACKET_META)}`))
          .join('')}]`
      case 'group':
        return `(${n.alternatives.map((a) => a.map(node).join('')).join('|')})`
      case 'repeat':
        return node(n.node) + quantifier(n)
    }
  }
  return branches.map((b) => `${b.start ? '^' : ''}${b.nodes.map(node).join('')}${b.end ? '$' : ''}`).join('|')
}

/** The tree as a Lucene regexp over a whole value: an unanchored end is open (`.*`). */
export function toLuceneRegex(branches: Branch[]): string {
  // Lucene reserves more punctuation than an ARE (", ~, &, <, >, @, #): every ASCII character
  // that is not a letter or a digit is written with a backslash, which Lucene reads as itself.
  const char = (c: string) => (/^[\x21-\x7e]$/.test(c) && !/^[A-Za-z0-9]$/.test(c) ? `\\${c}` : c)
  const sequence = (nodes: Node[]) => (nodes.length === 0 ? '()' : nodes.map(node).join(''))
  const node = (n: Node): string => {
    switch (n.kind) {
      case 'char':
        return char(n.c)
      case 'any':
        return '.'
      case 'class':
        return `[${n.negated ? '^' : ''}${n.ranges.map(([a, b]) => (a === b ? char(a) : `${char(a)}-${char(b)}`)).join('')}]`
      case 'group':
        return `(${n.alternatives.map(sequence).join('|')})`
      case 'repeat':
        return node(n.node) + quantifier(n)
    }
  }
  const branch = (b: Branch) => `${b.start ? '' : '.*'}${b.nodes.map(node).join('')}${b.end ? '' : '.*'}`
  const [only] = branches
  return branches.length === 1 && only ? branch(only) || '()' : branches.map((b) => `(${branch(b) || '()'})`).join('|')
}

function quantifier(n: Extract<Node, { kind: 'repeat' }>): string {
  if (n.min === 0 && n.max === undefined) return '*'
  if (n.min === 1 && n.max === undefined) return '+'
  if (n.min === 0 && n.max === 1) return '?'
  if (n.max === n.min) return `{${n.min}}`
  return `{${n.min},${n.max ?? ''}}`
}
