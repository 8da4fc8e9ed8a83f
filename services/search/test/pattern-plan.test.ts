import t from 'tap'
import { anchoredPrefix, patternPlan } from '../src/query/pattern-plan.ts'

t.test('the literal prefix of an anchored pattern', async (t) => {
  const cases: [string, string | undefined][] = [
    ['^brass lamp', 'brass lamp'],
    ['^kal[a-zé]* [a-z]+ [0-9]{3}$', 'kal'],
    ['^Portals?', 'Portal'],
    ['^ab*c', undefined],
    ['^abc+d', 'abc'],
    ['^café.*', 'café'],
    ['^a{2}bc', undefined],
    ['brass', undefined],
    ['^brass|lamp', undefined],
    ['^(brass)', undefined],
    ['^\\d+', undefined],
    ['^x', undefined],
  ]
  for (const [pattern, prefix] of cases) t.equal(anchoredPrefix(pattern), prefix, pattern)
  t.equal(anchoredPrefix(`^${'x'.repeat(200)}`)?.length, 100, 'at most what the description index holds')
})

t.test('whether the index can narrow a pattern at all', async (t) => {
  const narrowed = ['brass.*lamp', '^kal[a-z]*', 'lamp|desk', '[0-9]+ lamps', 'x(abc)?lamp', 'ab\\dcde']
  const scans = [
    '^[A-Z][a-z]+ [0-9]{3}$',
    '.*',
    'ab',
    'lamps?|x',
    '(lamp)',
    'lam?p',
    '[lamp]+',
    '[[:alpha:]]+',
    '\\w+\\s\\w+',
    '(?i)brass',
    '***:brass',
    '***=a b',
    // Directors are refused before any plan (pattern-syntax.ts): a literal one narrows nothing either.
    '***=brass lamp',
  ]
  for (const p of narrowed) t.equal(patternPlan(p).narrowed, true, p)
  for (const p of scans) t.equal(patternPlan(p).narrowed, false, p)
})
