import type { Check, Logger, Metrics } from '@catalog/kit'
import type { FastifyInstance } from 'fastify'
import type { GatewayConfig } from '../config.ts'
import { rateLimitDefaults } from '../config.ts'
import { registerRateLimit } from './rate-limit-hooks.ts'
import { createRateLimitStore } from './rate-limit-store.ts'

export interface RateLimiting {
  /** Installs the hooks (GatewayDeps.rateLimit). */
  install(app: FastifyInstance): void
  /** What readiness reports of the store: nothing for the memory store, which always answers. */
  checks: Record<string, Check>
  close(): Promise<void>
}

/** The rate limits the configuration asks for: in memory, or shared through Redis with REDIS_URL. */
export function rateLimiting(config: GatewayConfig, deps: { log: Logger; metrics: Metrics }): RateLimiting {
  const store = createRateLimitStore({ redisUrl: config.REDIS_URL, log: deps.log })
  const away = config.RATE_LIMIT_FAIL_OPEN ? 'each replica limits on its own' : 'requests are refused'
  return {
    install: (app) =>
      registerRateLimit(app, {
        store,
        failOpen: config.RATE_LIMIT_FAIL_OPEN,
        log: deps.log,
        metrics: deps.metrics,
        defaults: rateLimitDefaults(config),
        tenantOf: (request) => request.principal?.tenant,
      }),
    // Every replica shares the one Redis: leaving the load balancer would not help, so only report it.
    checks:
      store.kind === 'redis'
        ? {
            redis: {
              soft: true,
              check: async () => {
                await store.ping().catch((err: Error) => {
                  throw new Error(`the rate limit store is away, ${away}: ${err.message}`)
                })
              },
            },
          }
        : {},
    close: () => store.close(),
  }
}
