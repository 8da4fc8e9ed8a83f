import type { Logger } from '../telemetry/log.ts'
import { flushTelemetry } from '../telemetry/telemetry-state.ts'

export interface ShutdownStep {
  name: string
  run: () => Promise<void>
}

/**
 * On SIGTERM or SIGINT, runs the steps in order (stop taking work, drain, close pools) within
 * `timeoutMs`, flushes the spans not yet exported, then exits. A second signal, or the timeout, exits at once.
 */
export function handleShutdown(options: { log: Logger; timeoutMs: number; steps: ShutdownStep[] }): void {
  const { log, timeoutMs, steps } = options
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown timed out')
      process.exit(1)
    }, timeoutMs + 1_000)
    timer.unref()
    let code = 0
    for (const step of steps) {
      try {
        await step.run()
      } catch (err) {
        code = 1
        log.error({ err, step: step.name }, 'shutdown step failed')
      }
    }
    // The spans of the drain itself, too, leave before the process does.
    await flushTelemetry().catch(() => undefined)
    log.info('stopped')
    process.exit(code)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection')
    process.exit(1)
  })
}
