import { Writable } from 'node:stream'
import t from 'tap'
import { createLogger, withTraceparent } from '../src/index.ts'

t.test('a log line carries the trace it was written in, and none outside one', async (t) => {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  const log = createLogger({ name: 'test' }, sink)
  withTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', () => log.info('inside'))
  log.info('outside')
  await new Promise((resolve) => setImmediate(resolve))
  t.match(lines[0], { msg: 'inside', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' })
  t.notOk('trace_id' in (lines[1] ?? {}), 'no trace outside one')
  t.equal(lines[1]?.msg, 'outside')
})
