/**
 * The generic cell rate algorithm: a request is allowed when it arrives no earlier than its
 * theoretical arrival time (TAT) minus the window. Spending `limit` requests at once is fine;
 * after that they are admitted one per `windowMs / limit`, smoothly, so no window boundary ever
 * lets twice the limit through (as a fixed window does). The Redis script does the same sums.
 */
export interface RateLimitPolicy {
  /** Requests allowed per window (also the largest burst). */
  limit: number
  windowMs: number
}

export interface Decision {
  allowed: boolean
  /** Requests that may still be made at once. */
  remaining: number
  /** Until the full budget is back. */
  resetMs: number
  /** Until the next request would be allowed (0 when this one was). */
  retryAfterMs: number
}

export function gcra(now: number, storedTat: number | undefined, policy: RateLimitPolicy): { decision: Decision; tat: number } {
  const interval = policy.windowMs / policy.limit
  const tat = Math.max(storedTat ?? now, now)
  const next = tat + interval
  const allowAt = next - policy.windowMs
  if (now < allowAt) {
    return {
      tat,
      decision: { allowed: false, remaining: 0, resetMs: Math.ceil(tat - now), retryAfterMs: Math.ceil(allowAt - now) },
    }
  }
  const remaining = Math.floor((now + policy.windowMs - next) / interval)
  return { tat: next, decision: { allowed: true, remaining, resetMs: Math.ceil(next - now), retryAfterMs: 0 } }
}
