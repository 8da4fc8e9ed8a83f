/**
 * Whether tracing runs, and how the process flushes its spans before it exits: set by
 * startTelemetry (which the shutdown code and the hot paths must not import, since that would load
 * OpenTelemetry into every process), flushed last by handleShutdown.
 */
let flush: (() => Promise<void>) | undefined

export function setTelemetryFlush(fn: () => Promise<void>): void {
  flush = fn
}

export async function flushTelemetry(): Promise<void> {
  await flush?.()
}

/** Whether startTelemetry started tracing in this process: without it, span work can be skipped. */
export const tracingStarted = (): boolean => flush !== undefined
