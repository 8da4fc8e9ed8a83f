import type { Logger } from '../telemetry/log.ts'
import { createLogger } from '../telemetry/log.ts'

/** Logs only when TEST_LOG_LEVEL asks for them, so test output stays readable. */
export function silentLogger(name = 'test'): Logger {
  return createLogger({ name, level: process.env.TEST_LOG_LEVEL ?? 'silent' })
}
