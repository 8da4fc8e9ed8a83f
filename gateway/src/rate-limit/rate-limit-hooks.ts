/*
 * Rate limits per client IP (before authentication, so floods cost no token work) and per tenant
 * (after it), per route. Written here rather than taken from @fastify/rate-limit: its Redis store
 * is a fixed window (INCR + PEXPIRE) that lets up to twice the limit through at a window
 * boundary, and it has neither the IETF RateLimit/RateLimit-Policy fields nor a fail-closed mode.
 */
import type { Logger, Metrics } from '@catalog/kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Counter, Gauge } from 'prom-client'
import { codes, GatewayError } from '../errors.ts'
import type { Decision, RateLimitPolicy } from './gcra.ts'
import type { RateLimitStore } from './rate-limit-store.ts'

export type Dimension = 'ip' | 'tenant'

export interface RouteRateLimit {
  ip?: RateLimitPolicy | false
  tenant?: RateLimitPolicy | false
}

export interface RateLimitOptions {
  store: RateLimitStore
  /** When the store is unreachable: let requests through (true) or answer 503 (false). */
  failOpen: boolean
  log: Logger
  metrics: Metrics
  defaults: Record<Dimension, RateLimitPolicy>
  tenantOf: (request: FastifyRequest) => string | undefined
}

const kShown = Symbol('rate-limit-shown')

export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  const { store, log } = options
  const decisions = new Counter({
    name: 'gateway_rate_limit_decisions_total',
    help: 'Rate limit decisions, by dimension and outcome (allowed, limited, store_error).',
    labelNames: ['dimension', 'outcome'],
    registers: [options.metrics.registry],
  })
  const storeUp = new Gauge({
    name: 'gateway_rate_limit_store_up',
    help: '1 while the rate limit store answers, 0 while it does not.',
    registers: [options.metrics.registry],
  })
  storeUp.set(1)
  let up = true
  const markStore = (ok: boolean, err?: unknown) => {
    storeUp.set(ok ? 1 : 0)
    if (ok === up) return
    up = ok
    if (ok) log.info({ store: store.kind }, 'rate limit store is back')
    else log.error({ store: store.kind, err, failOpen: options.failOpen }, 'rate limit store unreachable')
  }

  const limit = async (request: FastifyRequest, reply: FastifyReply, dimension: Dimension, id: string | undefined) => {
    const configured = request.routeOptions.config.rateLimit?.[dimension]
    if (configured === false || !id) return
    const policy = configured ?? options.defaults[dimension]
    const route = request.routeOptions.url ? `${request.method} ${request.routeOptions.url}` : 'unmatched'
    let decision: Decision
    try {
      decision = await store.take(`${dimension}:${id}:${route}`, policy)
      markStore(true)
    } catch (err) {
      markStore(false, err)
      decisions.inc({ dimension, outcome: 'store_error' })
      if (options.failOpen) return
      throw new GatewayError(codes.rateLimitUnavailable, 503, 'Service Unavailable', {
        detail: 'Rate limiting is unavailable, so requests are refused for now.',
        headers: { 'retry-after': '1' },
        reason: err instanceof Error ? err.message : String(err),
      })
    }
    decisions.inc({ dimension, outcome: decision.allowed ? 'allowed' : 'limited' })
    const headers = rateLimitHeaders(dimension, policy, decision)
    if (!decision.allowed) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)))
      throw new GatewayError(codes.rateLimited, 429, 'Too Many Requests', {
        detail: `The ${dimension === 'ip' ? 'client address' : 'tenant'} has used its budget for ${route}; retry after the given delay.`,
        headers,
      })
    }
    // Both dimensions may apply: the client sees the one closest to running out.
    const shown = (request as unknown as { [kShown]?: number })[kShown]
    if (shown === undefined || decision.remaining < shown) {
      ;(request as unknown as { [kShown]?: number })[kShown] = decision.remaining
      reply.headers(headers)
    }
  }

  app.addHook('onRequest', (request, reply) => limit(request, reply, 'ip', request.ip))
  app.addHook('preHandler', (request, reply) => limit(request, reply, 'tenant', options.tenantOf(request)))
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
