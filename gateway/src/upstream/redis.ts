import { Redis } from 'ioredis'

/**
 * A Redis client that never holds a request: no offline queue, no retries of a command, a short
 * command timeout, so a caller learns at once that Redis is away and goes on without it. It
 * reconnects on its own, backing off to 2 s; its keys carry `prefix`.
 */
export function failFastRedis(url: string, options: { commandTimeoutMs: number; prefix: string }): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    keyPrefix: options.prefix,
  })
}
