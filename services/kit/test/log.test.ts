import { EventEmitter } from 'node:events'
import { Writable } from 'node:stream'
import { Metadata, status } from '@grpc/grpc-js'
import t from 'tap'
import { CALLER_HEADER, codes, createLogger, implement, invalidArgument, PlatformError, withTraceparent } from '../src/index.ts'

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { lines, log: createLogger({ name: 'test', level }, sink) }
}

type Implementation = Record<string, (call: unknown, callback: (err: unknown, res?: unknown) => void) => void>

/** Calls a handler of `service` as grpc-js would, from the gateway, in a trace. */
const callOf = (service: Implementation) => (method: string) =>
  new Promise((resolve) => {
    const metadata = new Metadata()
    metadata.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
    metadata.set(CALLER_HEADER, 'gateway')
    const fake = Object.assign(new EventEmitter(), { metadata, request: { secret: 'hunter2' } })
    service[method]?.(fake, resolve)
  })

t.test('a log line carries the trace it was written in, and none outside one', async (t) => {
  const { lines, log } = capture()
  withTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', () => log.info('inside'))
  log.info('outside')
  await new Promise((resolve) => setImmediate(resolve))
  t.match(lines[0], { msg: 'inside', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' })
  t.notOk('trace_id' in (lines[1] ?? {}), 'no trace outside one')
  t.equal(lines[1]?.msg, 'outside')
})

t.test('at debug, each gRPC call logs one line in its trace: method, caller, status and time, and no payload', async (t) => {
  const { lines, log } = capture('debug')
  const call = callOf(
    implement(log, {
      Get: async (request: { secret: string }) => ({ echoed: request.secret }),
      Fail: async () => {
        throw invalidArgument([{ field: 'id', description: 'must be a UUID' }])
      },
    } as never) as Implementation,
  )
  await call('Get')
  await call('Fail')
  await new Promise((resolve) => setImmediate(resolve))
  const calls = lines.filter((l) => l.msg === 'call')
  t.match(calls, [
    { level: 'debug', method: 'Get', caller: 'gateway', code: 'OK', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', ms: Number },
    { level: 'debug', method: 'Fail', caller: 'gateway', code: 'INVALID_ARGUMENT', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' },
  ])
  t.notMatch(JSON.stringify(lines), /hunter2/, 'no request content in the logs')
})

t.test('at info, served calls and client errors log nothing, and a call the server failed logs one line', async (t) => {
  const { lines, log } = capture('info')
  const call = callOf(
    implement(log, {
      Get: async () => ({}),
      Fail: async () => {
        throw invalidArgument([{ field: 'id', description: 'must be a UUID' }])
      },
      Late: async () => {
        throw new PlatformError(codes.deadlineExceeded, status.DEADLINE_EXCEEDED, 'the search index did not answer in time')
      },
      Down: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
      },
      Boom: async () => {
        throw new Error('a bug')
      },
    } as never) as Implementation,
  )
  for (const method of ['Get', 'Fail', 'Late', 'Down', 'Boom']) await call(method)
  await new Promise((resolve) => setImmediate(resolve))
  t.match(lines, [
    { level: 'warn', msg: 'call', method: 'Late', caller: 'gateway', code: 'DEADLINE_EXCEEDED', ms: Number },
    { level: 'warn', msg: 'a server this service needs is unavailable', method: 'Down', code: 'UNAVAILABLE', err: Object },
    {
      level: 'error',
      msg: 'unexpected error in handler',
      method: 'Boom',
      caller: 'gateway',
      code: 'INTERNAL',
      err: { stack: String },
    },
  ])
  t.equal(lines.length, 3, 'one line for each call the server failed, none for the others')
  t.ok(
    lines.every((l) => l.trace_id === '4bf92f3577b34da6a3ce929d0e0e4736'),
    'each in the trace of its call',
  )
})
