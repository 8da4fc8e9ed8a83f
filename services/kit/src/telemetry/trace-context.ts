import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import type { Attributes, Link, Span, SpanKind } from '@opentelemetry/api'
import { context, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api'
import { tracingStarted } from './telemetry-state.ts'

/*
 * W3C trace context (`traceparent`) carried from the gateway through gRPC metadata, the outbox
 * and Kafka headers, so one request can be followed to every event it caused. With tracing on
 * (telemetry.ts), the current context is OpenTelemetry's active span, and the spans below join
 * its traces; with tracing off the same header still flows, kept here, and the API is a no-op.
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

/** The span that is recording the work in progress, if tracing is on and this trace is sampled. */
function recordingSpan(): Span | undefined {
  const span = trace.getActiveSpan()
  return span?.isRecording() ? span : undefined
}

const format = (span: Span) => {
  const c = span.spanContext()
  return `00-${c.traceId}-${c.spanId}-${c.traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`
}

/** The OpenTelemetry context whose parent is the remote `traceparent`. */
function remoteContext(traceparent: string) {
  const [, traceId, spanId, flags] = traceparent.split('-') as [string, string, string, string]
  return trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true })
}

/**
 * Runs `fn` with `traceparent` as the current trace context (what writers of events pick up, and
 * the parent of the spans `fn` starts). A span already recording this trace (the gRPC server
 * span the instrumentation started from the same header) stays the parent.
 */
export function withTraceparent<T>(traceparent: string | undefined, fn: () => T): T {
  if (!traceparent) return fn()
  // Without tracing, OpenTelemetry's context is a no-op: only this module's store carries the header.
  if (!tracingStarted()) return current.run(traceparent, fn)
  const active = recordingSpan()
  if (active && active.spanContext().traceId === traceIdOf(traceparent)) return current.run(traceparent, fn)
  return context.with(remoteContext(traceparent), () => current.run(traceparent, fn))
}

/** The trace context of the work in progress, if any: the recording span's, else the one carried in. */
export const currentTraceparent = (): string | undefined => {
  const span = recordingSpan()
  return span ? format(span) : current.getStore()
}

const tracer = () => trace.getTracer('@catalog/kit')

/**
 * Runs `fn` in a new span (a child of `parent` when given, else of the current context), ended when
 * `fn` settles, with an error status when it throws. With tracing off this costs one no-op object.
 */
export async function inSpan<T>(
  name: string,
  options: { kind: SpanKind; attributes?: Attributes; parent?: string | undefined; links?: Link[] },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parentContext = options.parent ? remoteContext(options.parent) : context.active()
  const span = tracer().startSpan(
    name,
    {
      kind: options.kind,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.links ? { links: options.links } : {}),
    },
    parentContext,
  )
  try {
    return await context.with(trace.setSpan(parentContext, span), () => fn(span))
  } catch (err) {
    span.recordException(err as Error)
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) })
    throw err
  } finally {
    span.end()
  }
}

/**
 * Starts a span that the caller ends (one per Kafka message of a batch, ended when the batch is
 * durable), and the traceparent a message sent on its behalf should carry.
 */
export function startSpan(
  name: string,
  options: { kind: SpanKind; attributes?: Attributes; parent?: string | undefined },
): { span: Span; traceparent: string | undefined } {
  const parentContext = options.parent ? remoteContext(options.parent) : context.active()
  const span = tracer().startSpan(
    name,
    { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parentContext,
  )
  return { span, traceparent: span.isRecording() ? format(span) : options.parent }
}

/** A link to the span a message's traceparent names (a batch span links to its messages). */
export function linkTo(traceparent: string): Link | undefined {
  const valid = parseTraceparent(traceparent)
  if (!valid) return undefined
  const [, traceId, spanId, flags] = valid.split('-') as [string, string, string, string]
  return { context: { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true } }
}
