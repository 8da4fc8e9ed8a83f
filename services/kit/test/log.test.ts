import { EventEmitter } from 'node:events'
import { Writable } from 'node:stream'
import { Metadata } from '@grpc/grpc-js'
import t from 'tap'
import { CALLER_HEADER, createLogger, implement, invalidArgument, withTraceparent } from '../src/index.ts'

function capture() {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { lines, log: createLogger({ name: 'test' }, sink) }
}

t.test('a log line carries the trace it was written in, and none outside one', async (t) => {
  const { lines, log } = capture()
  withTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', () => log.info('inside'))
  log.info('outside')
  await new Promise((resolve) => setImmediate(resolve))
  t.match(lines[0], { msg: 'inside', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' })
  t.notOk('trace_id' in (lines[1] ?? {}), 'no trace outside one')
  t.equal(lines[1]?.msg, 'outside')
})

t.test('each gRPC call logs one line in its trace: method, caller, status and time, and no payload', async (t) => {
  const { lines, log } = capture()
  const service = implement(log, {
    Get: async (request: { secret: string }) => ({ echoed: request.secret }),
    Fail: async () => {
      throw invalidArgument([{ field: 'id', description: 'must be a UUID' }])
    },
  } as never) as Record<string, (call: unknown, callback: (err: unknown, res?: unknown) => void) => void>
  const call = (method: string) =>
    new Promise((resolve) => {
      const metadata = new Metadata()
      metadata.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
      metadata.set(CALLER_HEADER, 'gateway')
      const fake = Object.assign(new EventEmitter(), { metadata, request: { secret: 'hunter2' } })
      service[method]?.(fake, resolve)
    })
  await call('Get')
  await call('Fail')
  await new Promise((resolve) => setImmediate(resolve))
  const calls = lines.filter((l) => l.msg === 'call')
  t.match(calls, [
    { method: 'Get', caller: 'gateway', code: 'OK', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', ms: Number },
    { method: 'Fail', caller: 'gateway', code: 'INVALID_ARGUMENT', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' },
  ])
  t.notMatch(JSON.stringify(lines), /hunter2/, 'no request content in the logs')
})
