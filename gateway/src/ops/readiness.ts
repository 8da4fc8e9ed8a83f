import type { Check, Logger, ReadinessCheck } from '@catalog/kit'

/**
 * The checks as /readyz runs them: a failing one answers `failed` under its name, and its cause
 * (a backend's address, a library's message) goes to the log, once each time it changes, never to
 * whoever asked.
 */
export function quietChecks(checks: Record<string, Check>, log: Logger): Record<string, Check> {
  return Object.fromEntries(
    Object.entries(checks).map(([name, entry]) => {
      const check = typeof entry === 'function' ? entry : entry.check
      const quiet = quietCheck(name, check, log)
      return [name, typeof entry === 'function' ? quiet : { ...entry, check: quiet }]
    }),
  )
}

function quietCheck(name: string, check: ReadinessCheck, log: Logger): ReadinessCheck {
  let lastCause: string | undefined
  return async () => {
    try {
      await check()
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err)
      if (cause !== lastCause) log.warn({ check: name, err }, 'readiness check failed')
      lastCause = cause
      throw new Error('failed')
    }
    if (lastCause !== undefined) log.info({ check: name }, 'readiness check passes again')
    lastCause = undefined
  }
}
