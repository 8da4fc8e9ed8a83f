import type { DestinationStream, Logger, LoggerOptions } from 'pino'
import { pino } from 'pino'
import { currentTraceparent } from './trace-context.ts'

export type { Logger }

/** The trace a line was logged in, so logs and traces find each other. */
function traceFields(): Record<string, string> {
  const traceparent = currentTraceparent()
  if (!traceparent) return {}
  const [, traceId, spanId] = traceparent.split('-') as [string, string, string]
  return { trace_id: traceId, span_id: spanId }
}

/** JSON logs to stdout, each with the trace it belongs to; secrets never reach them (see `redact`). */
export function createLogger(
  { name, ...options }: { name: string; level?: string } & LoggerOptions,
  destination?: DestinationStream,
): Logger {
  const settings: LoggerOptions = {
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceFields,
    redact: { paths: ['authorization', '*.authorization', 'headers.authorization', '*.password'], censor: '[redacted]' },
    ...options,
  }
  return destination ? pino(settings, destination) : pino(settings)
}
