import type { Check, Principal } from '@catalog/kit'
import type { RouteRateLimit } from './rate-limit/rate-limit-hooks.ts'

/** What the gateway adds to Fastify's requests and route options. */
declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by the auth hook on routes that name a scope. */
    principal: Principal | null
    /** When this request must be done; travels to gRPC as the call deadline. */
    deadline: Date
    /** The client asked for a shorter deadline than the gateway's (`x-request-timeout-ms`). */
    deadlineChosen: boolean
    /** W3C trace context of this request: the caller's trace continued, or a new one. */
    traceparent: string
  }
  interface FastifyInstance {
    /** The readiness checks as /readyz runs them (ops/readiness.ts), for the ops port to answer the same. */
    readinessChecks: Record<string, Check>
  }
  interface FastifyContextConfig {
    /** The scope a token must carry for this route; routes without one are public. */
    scope?: string
    /** This route's budgets, instead of the defaults; `false` turns a dimension off. */
    rateLimit?: RouteRateLimit
  }
}
