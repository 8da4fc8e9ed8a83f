/**
 * Remembers tokens that verified, so a client sending the same token again costs a map lookup
 * instead of a signature check. An entry lives until the token expires or `ttlMs` passes,
 * whichever is first: a key the issuer removes is honoured at most `ttlMs` longer. Bounded in
 * entries, oldest out first.
 */
export function verifiedCache<T extends { expiresAt: number }>(options: { ttlMs: number; maxEntries: number }) {
  const entries = new Map<string, { value: T; until: number }>()
  return {
    get(token: string): T | undefined {
      const hit = entries.get(token)
      if (!hit) return undefined
      if (hit.until <= Date.now()) {
        entries.delete(token)
        return undefined
      }
      return hit.value
    },
    set(token: string, value: T): void {
      const until = Math.min(value.expiresAt * 1000, Date.now() + options.ttlMs)
      if (until <= Date.now() || options.ttlMs <= 0) return
      entries.set(token, { value, until })
      if (entries.size > options.maxEntries) {
        const oldest = entries.keys().next().value
        if (oldest !== undefined) entries.delete(oldest)
      }
    },
  }
}
