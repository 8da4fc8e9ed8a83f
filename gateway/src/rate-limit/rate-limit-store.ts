import type { Logger } from '@catalog/kit'
import { failFastRedis } from '../upstream/redis.ts'
import type { Decision, RateLimitPolicy } from './gcra.ts'
import { gcra } from './gcra.ts'

export interface RateLimitStore {
  readonly kind: 'memory' | 'redis'
  /** The memory store decides at once (no promise to wait for, on every request); Redis answers later. */
  take(key: string, policy: RateLimitPolicy): Decision | Promise<Decision>
  /** Rejects while the store cannot answer (Redis away); the memory store always can. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** The memory store decides at once, never through a promise. */
export interface MemoryStore extends RateLimitStore {
  readonly kind: 'memory'
  take(key: string, policy: RateLimitPolicy): Decision
  readonly size: number
}

/**
 * One replica's budgets, in memory. Bounded: past `maxKeys`, spent entries go first and then the
 * oldest, so a flood of distinct client IPs cannot grow it without end.
 */
export function memoryStore(maxKeys = 100_000): MemoryStore {
  const tats = new Map<string, number>()
  return {
    kind: 'memory',
    take(key, policy) {
      const now = Date.now()
      const { tat, decision } = gcra(now, tats.get(key), policy)
      tats.delete(key)
      tats.set(key, tat)
      if (tats.size > maxKeys) {
        for (const [k, t] of tats) if (t <= now) tats.delete(k)
        for (const k of tats.keys()) {
          if (tats.size <= maxKeys) break
          tats.delete(k)
        }
      }
      return decision
    },
    async ping() {},
    async close() {
      tats.clear()
    },
    get size() {
      return tats.size
    },
  }
}

// The same sums as gcra.ts, atomically, on the Redis server's clock, so replicas with skewed
// clocks still share one budget.
const GCRA_SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = window / limit
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local nxt = tat + interval
local allow_at = nxt - window
if now < allow_at then
  return {0, 0, math.ceil(tat - now), math.ceil(allow_at - now)}
end
redis.call('SET', KEYS[1], string.format('%.3f', nxt), 'PX', math.ceil(nxt - now) + 1)
return {1, math.floor((now + window - nxt) / interval), math.ceil(nxt - now), 0}
`

type GcraCommand = (key: string, limit: number, windowMs: number) => Promise<[number, number, number, number]>

/**
 * Budgets shared by every replica through Redis. Commands fail fast when Redis is away (no
 * offline queue, a short timeout), so the caller can fail open or closed at once, never hang.
 */
export function redisStore(
  url: string,
  log: Logger,
  options: { commandTimeoutMs?: number; prefix?: string } = {},
): RateLimitStore {
  const redis = failFastRedis(url, { commandTimeoutMs: options.commandTimeoutMs ?? 200, prefix: options.prefix ?? 'rl:' })
  redis.on('error', () => undefined) // reported through the decisions that fail; reconnects on its own
  redis.on('ready', () => log.info('rate limit store (redis) ready'))
  redis.defineCommand('gcra', { numberOfKeys: 1, lua: GCRA_SCRIPT })
  const command = (redis as unknown as { gcra: GcraCommand }).gcra.bind(redis)
  return {
    kind: 'redis',
    async take(key, policy) {
      const [allowed, remaining, resetMs, retryAfterMs] = await command(key, policy.limit, policy.windowMs)
      return { allowed: allowed === 1, remaining, resetMs, retryAfterMs }
    },
    async ping() {
      await redis.ping()
    },
    async close() {
      redis.disconnect()
    },
  }
}

export function createRateLimitStore(options: { redisUrl: string | undefined; log: Logger }): RateLimitStore {
  return options.redisUrl ? redisStore(options.redisUrl, options.log) : memoryStore()
}
