import t from 'tap'
import type { Branch } from '../src/query/pattern-syntax.ts'
import { parsePattern, toLuceneRegex, toPostgresRegex } from '../src/query/pattern-syntax.ts'

const read = (pattern: string): Branch[] => {
  const result = parsePattern(pattern)
  if (!result.ok) throw new Error(`${pattern} refused: ${result.description}`)
  return result.branches
}

t.test('an accepted pattern, as each engine runs it', async (t) => {
  // [pattern, the PostgreSQL ARE, the Lucene regexp over a whole value]
  const cases: [string, string, string][] = [
    ['brass', 'brass', '.*brass.*'],
    ['^brass lamp', '^brass lamp', 'brass lamp.*'],
    ['lamp$', 'lamp$', '.*lamp'],
    ['^Lamp model [AB]$', '^Lamp model [AB]$', 'Lamp model [AB]'],
    ['^Porta|crowbar', '^Porta|crowbar', '(Porta.*)|(.*crowbar.*)'],
    ['(?:a|b)+c', '(a|b)+c', '.*(a|b)+c.*'],
    ['\\d{3}-\\w+', '[0-9]{3}-[0-9A-Za-z_]+', '.*[0-9]{3}\\-[0-9A-Za-z\\_]+.*'],
    ['[^\\s]', '[^ \t\n\r\f\v]', '.*[^ \t\n\r\f\v].*'],
    ['a+?b*?c??d{2,5}?', 'a+b*c?d{2,5}', '.*a+b*c?d{2,5}.*'],
    ['100% "free" <b> & ~x @ #', '100% "free" <b> & ~x @ #', '.*100\\% \\"free\\" \\<b\\> \\& \\~x \\@ \\#.*'],
    ['\\$5\\.00', '\\$5\\.00', '.*\\$5\\.00.*'],
    ['[]a-]', '[\\]a\\-]', '.*[\\]a\\-].*'],
    ['a{2}|b{3,}|{x', 'a{2}|b{3,}|\\{x', '(.*a{2}.*)|(.*b{3,}.*)|(.*\\{x.*)'],
    ['^$', '^$', '()'],
    ['café.*crème', 'café.*crème', '.*café.*crème.*'],
  ]
  for (const [pattern, postgres, lucene] of cases) {
    const branches = read(pattern)
    t.equal(toPostgresRegex(branches), postgres, `${pattern} on PostgreSQL`)
    t.equal(toLuceneRegex(branches), lucene, `${pattern} on OpenSearch`)
    t.same(read(toPostgresRegex(branches)), branches, `${pattern}: the ARE form reads back as the same pattern`)
  }
})

t.test('what only one engine can do is refused, saying what', async (t) => {
  const cases: [string, RegExp][] = [
    ['[[:alpha:]]+', /POSIX class/],
    ['[[.a.]]', /collating element/],
    ['[[=e=]]', /equivalence class/],
    ['lamp(?=s)', /lookahead or lookbehind/],
    ['(?<!x)lamp', /lookahead or lookbehind/],
    ['(?i)lamp', /embedded options/],
    ['***:lamp', /director/],
    ['(a)\\1', /back-reference/],
    ['\\ylamp\\y', /boundary/],
    ['\\Alamp', /boundary/],
    ['\\x41', /escape \\x/],
    ['\\u00e9', /escape \\u/],
    ['a^b', /\^ or \$ inside the pattern/],
    ['(^a|b)', /\^ or \$ inside the pattern/],
    ['a$b', /\^ or \$ inside the pattern/],
    ['[\\D]', /inside brackets/],
    ['(a{1,255}){1,255}', /too complex/],
    ['((\\w{1,100}){1,100}){1,5}', /too complex/],
    ['(unclosed', /not a valid regular expression: \( without \)/],
    ['unopened)', /not a valid regular expression: \) without \(/],
    ['[abc', /not a valid regular expression: \[ without \]/],
    ['*a', /not a valid regular expression: \* follows nothing/],
    ['a**', /not a valid regular expression/],
    ['[z-a]', /not a valid regular expression: the range z-a is backwards/],
    ['a{5,2}', /not a valid regular expression/],
    ['a{300}', /not a valid regular expression: a bound is above 255/],
    ['a\\', /not a valid regular expression/],
  ]
  for (const [pattern, description] of cases) {
    const result = parsePattern(pattern)
    t.equal(result.ok, false, pattern)
    if (!result.ok) t.match(result.description, description, pattern)
  }
})
