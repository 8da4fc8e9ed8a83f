/*
 * `q` in web-search syntax, read as PostgreSQL's websearch_to_tsquery reads it, so both engines
 * find the same items for the same words: words and "quoted phrases" must all match, `-` before
 * one excludes it, and `or` between two makes either do (`a b or c d` is (a and b) or (c and d)).
 * What counts as a word inside each term is the analyzer's to say, as it is ts_vector's there.
 */

export interface Term {
  text: string
  negated: boolean
}

/** The alternatives of `q`, each a list of terms that must all hold. */
export function parseWebSearch(q: string): Term[][] {
  const tokens: (Term | 'or')[] = []
  let at = 0
  const chars = [...q]
  while (at < chars.length) {
    const c = chars[at] as string
    if (/\s/u.test(c)) {
      at++
      continue
    }
    const negated = c === '-' && at + 1 < chars.length && !/\s/u.test(chars[at + 1] as string)
    if (negated) at++
    if (chars[at] === '"') {
      // A phrase runs to the next quote, or to the end when it is never closed.
      const close = chars.indexOf('"', at + 1)
      const end = close < 0 ? chars.length : close
      tokens.push({ text: chars.slice(at + 1, end).join(''), negated })
      at = end + 1
      continue
    }
    let end = at
    while (end < chars.length && !/\s/u.test(chars[end] as string) && chars[end] !== '"') end++
    const text = chars.slice(at, end).join('')
    at = end
    tokens.push(!negated && /^or$/i.test(text) ? 'or' : { text, negated })
  }
  const groups: Term[][] = [[]]
  tokens.forEach((token, i) => {
    const before = tokens[i - 1]
    const after = tokens[i + 1]
    // `or` joins two terms; first, last, or beside another `or` it is a word like any other.
    if (token === 'or' && before && before !== 'or' && after && after !== 'or') groups.push([])
    else groups.at(-1)?.push(token === 'or' ? { text: 'or', negated: false } : token)
  })
  return groups.filter((g) => g.length > 0)
}
