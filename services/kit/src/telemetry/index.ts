/** Logs, metrics and traces (the tracing start itself is `@catalog/kit/telemetry`, loaded before anything it patches). */
export { createLogger, type Logger } from './log.ts'
export { createMetrics, type Metrics } from './metrics.ts'
export { certificateMetrics, poolMetrics } from './runtime-metrics.ts'
export {
  childTraceparent,
  currentTraceparent,
  inSpan,
  linkTo,
  parseTraceparent,
  startSpan,
  traceIdOf,
  withTraceparent,
} from './trace-context.ts'
