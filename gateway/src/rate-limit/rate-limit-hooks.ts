/*
 * Rate limits per client IP (before authentication, so floods cost no token work) and per tenant
 * (after it), per route. Written here rather than taken from @fastify/rate-limit: its Redis store
 * is a fixed window (INCR + PEXPIRE) that lets up to twice the limit through at a window
 * boundary, and it has neither the IETF RateLimit/RateLimit-Policy fields nor a fail-closed mode.
 */
import type { Logger, Metrics } from '@catalog/kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Counter, Gauge } from 'prom-client'
import { clientKey } from '../client-address.ts'
import { codes, GatewayError } from '../errors.ts'
import type { Decision, RateLimitPolicy } from './gcra.ts'
import type { RateLimitStore } from './rate-limit-store.ts'
import { memoryStore } from './rate-limit-store.ts'

export type Dimension = 'ip' | 'tenant'

export interface RouteRateLimit {
  ip?: RateLimitPolicy | false
  tenant?: RateLimitPolicy | false
}

export interface RateLimitOptions {
  store: RateLimitStore
  /**
   * When the store is unreachable: decide with this replica's own budgets in memory (true), or
   * refuse with 503 (false).
   */
  failOpen: boolean
  log: Logger
  metrics: Metrics
  defaults: Record<Dimension, RateLimitPolicy>
  tenantOf: (request: FastifyRequest) => string | undefined
}

/** The route's config, read once per request (each read of `routeOptions` builds a new object). */
const kConfig = Symbol('rate-limit-config')
/** The remaining budget the headers show so far, -1 before any. */
const kShown = Symbol('rate-limit-shown')

/** What a route says of itself (the 404 handler's has no url). */
type RouteConfig = FastifyRequest['routeOptions']['config']

interface LimitedRequest extends FastifyRequest {
  [kConfig]: RouteConfig | null
  [kShown]: number
}

type Done = (err?: Error) => void

export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  const { store, log } = options
  const decisions = new Counter({
    name: 'gateway_rate_limit_decisions_total',
    help: 'Rate limit decisions, by dimension, outcome (allowed, limited, store_error) and the store that decided (memory, redis, or fallback: this replica alone while Redis is away).',
    labelNames: ['dimension', 'outcome', 'store'],
    registers: [options.metrics.registry],
  })
  const storeUp = new Gauge({
    name: 'gateway_rate_limit_store_up',
    help: '1 while the rate limit store answers, 0 while it does not.',
    registers: [options.metrics.registry],
  })
  storeUp.set(1)
  // Redis away, each replica keeps its own budgets: N replicas then admit up to N times a budget,
  // which still bounds a flood, where letting everything through would not.
  const fallback = options.failOpen && store.kind !== 'memory' ? memoryStore() : undefined
  let up = true
  const markStore = (ok: boolean, err?: unknown) => {
    if (ok === up) return
    up = ok
    storeUp.set(ok ? 1 : 0)
    if (ok) log.info({ store: store.kind }, 'rate limit store is back')
    else log.error({ store: store.kind, err, failOpen: options.failOpen }, 'rate limit store unreachable')
  }

  /** The store could not answer: the 503 that refuses the request. */
  const unanswered = (dimension: Dimension, err: unknown): GatewayError => {
    decisions.inc({ dimension, outcome: 'store_error', store: store.kind })
    return new GatewayError(codes.rateLimitUnavailable, {
      detail: 'Rate limiting is unavailable, so requests are refused for now.',
      headers: { 'retry-after': '1' },
      reason: err instanceof Error ? err.message : String(err),
    })
  }

  /** A store answered: the 429 that refuses the request, or nothing (and the headers, when this budget is the closest to running out). */
  const answered = (
    request: LimitedRequest,
    reply: FastifyReply,
    dimension: Dimension,
    policy: RateLimitPolicy,
    route: string,
    decision: Decision,
    decidedBy: RateLimitStore['kind'] | 'fallback',
  ): GatewayError | undefined => {
    decisions.inc({ dimension, outcome: decision.allowed ? 'allowed' : 'limited', store: decidedBy })
    if (!decision.allowed) {
      const headers = rateLimitHeaders(dimension, policy, decision)
      headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)))
      return new GatewayError(codes.rateLimited, {
        detail: `The ${dimension === 'ip' ? 'client address' : 'tenant'} has used its budget for ${route}; retry after the given delay.`,
        headers,
      })
    }
    // Both dimensions may apply: the client sees the one closest to running out.
    const shown = request[kShown]
    if (shown < 0 || decision.remaining < shown) {
      request[kShown] = decision.remaining
      reply.headers(rateLimitHeaders(dimension, policy, decision))
    }
    return undefined
  }

  /** Takes from the budget of `dimension` for `id`; `done` gets the refusal, at once when the store answers at once (memory). */
  const limit = (
    request: LimitedRequest,
    reply: FastifyReply,
    dimension: Dimension,
    id: string | undefined,
    config: RouteConfig,
    done: Done,
  ): void => {
    const configured = config.rateLimit?.[dimension]
    if (configured === false || !id) {
      done()
      return
    }
    const policy = configured ?? options.defaults[dimension]
    const route = config.url ? `${request.method} ${config.url}` : 'unmatched'
    const key = `${dimension}:${id}:${route}`
    const decided = (decision: Decision) => {
      markStore(true)
      done(answered(request, reply, dimension, policy, route, decision, store.kind))
    }
    const failed = (err: unknown) => {
      markStore(false, err)
      if (!fallback) return done(unanswered(dimension, err))
      done(answered(request, reply, dimension, policy, route, fallback.take(key, policy), 'fallback'))
    }
    let taken: Decision | Promise<Decision>
    try {
      taken = store.take(key, policy)
    } catch (err) {
      failed(err)
      return
    }
    if (taken instanceof Promise) taken.then(decided, failed)
    else decided(taken)
  }

  app.decorateRequest(kConfig, null)
  app.decorateRequest(kShown, -1)
  app.addHook('onRequest', (request, reply, done) => {
    const limited = request as LimitedRequest
    limited[kConfig] = request.routeOptions.config
    limit(limited, reply, 'ip', clientKey(request.ip), limited[kConfig], done)
  })
  app.addHook('preHandler', (request, reply, done) => {
    const limited = request as LimitedRequest
    limit(limited, reply, 'tenant', options.tenantOf(request), limited[kConfig] ?? request.routeOptions.config, done)
  })
}

/** The IETF draft fields (RateLimit-Policy, RateLimit) and the widely used RateLimit-Limit/-Remaining/-Reset. */
export function rateLimitHeaders(name: Dimension, policy: RateLimitPolicy, decision: Decision): Record<string, string> {
  const windowSec = Math.ceil(policy.windowMs / 1000)
  const resetSec = Math.ceil(decision.resetMs / 1000)
  return {
    'ratelimit-policy': `"${name}";q=${policy.limit};w=${windowSec}`,
    ratelimit: `"${name}";r=${decision.remaining};t=${resetSec}`,
    'ratelimit-limit': String(policy.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(resetSec),
  }
}
