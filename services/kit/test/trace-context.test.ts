import t from 'tap'
import {
  childTraceparent,
  currentTraceparent,
  parseTraceparent,
  traceIdOf,
  withTraceparent,
} from '../src/telemetry/trace-context.ts'

const GIVEN = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

t.test('a valid traceparent is continued with a new span; anything else starts a new trace', async (t) => {
  t.equal(parseTraceparent(GIVEN.toUpperCase()), GIVEN)
  for (const bad of [
    undefined,
    '',
    'garbage',
    `01-${GIVEN.slice(3)}`,
    `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    `${GIVEN}-extra`,
  ])
    t.equal(parseTraceparent(bad), undefined, `${bad} is refused`)
  const child = childTraceparent(GIVEN)
  t.equal(traceIdOf(child), traceIdOf(GIVEN), 'same trace')
  t.not(child.split('-')[2], GIVEN.split('-')[2], 'new span')
  t.equal(child.split('-')[3], '01', 'flags kept')
  const fresh = childTraceparent()
  t.ok(parseTraceparent(fresh), 'a new trace is valid')
  t.not(traceIdOf(fresh), traceIdOf(GIVEN))
})

t.test('the current trace follows async work started within it', async (t) => {
  t.equal(currentTraceparent(), undefined)
  const seen = await withTraceparent(GIVEN, async () => {
    await new Promise((r) => setTimeout(r, 1))
    return currentTraceparent()
  })
  t.equal(seen, GIVEN)
  t.equal(
    withTraceparent(undefined, () => currentTraceparent()),
    undefined,
  )
})
