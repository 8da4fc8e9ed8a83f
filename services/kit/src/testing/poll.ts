/**
 * Polls `probe` until `ok` accepts what it returns, and returns that value; throws with the last
 * value once `ms` pass. Tests wait for effects with this, never with fixed sleeps.
 */
export async function pollUntil<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean = Boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (ok(value)) return value
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms; last: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
