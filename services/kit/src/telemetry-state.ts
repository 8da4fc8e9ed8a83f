/**
 * How the process flushes its spans before it exits: set by startTelemetry (which the shutdown
 * code must not import, since that would load OpenTelemetry into every process), called last by
 * handleShutdown.
 */
let flush: (() => Promise<void>) | undefined

export function setTelemetryFlush(fn: () => Promise<void>): void {
  flush = fn
}

export async function flushTelemetry(): Promise<void> {
  await flush?.()
}
