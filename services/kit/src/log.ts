import type { Logger, LoggerOptions } from 'pino'
import { pino } from 'pino'

export type { Logger }

/** JSON logs to stdout; secrets never reach them (see `redact`). */
export function createLogger({ name, ...options }: { name: string; level?: string } & LoggerOptions): Logger {
  return pino({
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['authorization', '*.authorization', 'headers.authorization', '*.password'], censor: '[redacted]' },
    ...options,
  })
}
