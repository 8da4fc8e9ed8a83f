import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'

/*
 * W3C trace context (`traceparent`) carried from the gateway through gRPC metadata, the outbox
 * and Kafka headers, so one request can be followed to every event it caused. This is the
 * propagation only; spans and exporters come with OpenTelemetry, which reads the same header.
 */

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/** The header as given when it is a valid version-00 traceparent, else undefined. */
export function parseTraceparent(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const m = TRACEPARENT.exec(value.trim().toLowerCase())
  if (!m || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return undefined
  return m[0]
}

/** A new hop of the trace of `parent` (a fresh span id), or the start of a new trace. */
export function childTraceparent(parent?: string): string {
  const span = randomBytes(8).toString('hex')
  const m = parent ? TRACEPARENT.exec(parent) : null
  return m ? `00-${m[1]}-${span}-${m[3]}` : `00-${randomBytes(16).toString('hex')}-${span}-01`
}

export const traceIdOf = (traceparent: string) => traceparent.split('-')[1]

const current = new AsyncLocalStorage<string>()

/** Runs `fn` with `traceparent` as the current trace context (what writers of events pick up). */
export const withTraceparent = <T>(traceparent: string | undefined, fn: () => T): T =>
  traceparent ? current.run(traceparent, fn) : fn()

/** The trace context of the work in progress, if any. */
export const currentTraceparent = (): string | undefined => current.getStore()
