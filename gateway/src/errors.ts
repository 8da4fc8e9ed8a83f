import type { FieldViolation } from '@catalog/kit'

/**
 * The gateway's errors. Each has a stable code (`GW_ERR_*`), an HTTP status and a problem `type`
 * (RFC 9457); `problem.ts` renders them as application/problem+json in one place. Recognised by
 * a brand, not `instanceof`.
 */
export const kGatewayError = Symbol.for('catalog-platform.gateway-error')

export const codes = {
  unauthenticated: 'GW_ERR_UNAUTHENTICATED',
  forbidden: 'GW_ERR_FORBIDDEN',
  rateLimited: 'GW_ERR_RATE_LIMITED',
  rateLimitUnavailable: 'GW_ERR_RATE_LIMIT_UNAVAILABLE',
  validation: 'GW_ERR_VALIDATION',
  notFound: 'GW_ERR_NOT_FOUND',
  conflict: 'GW_ERR_CONFLICT',
  preconditionFailed: 'GW_ERR_PRECONDITION_FAILED',
  preconditionRequired: 'GW_ERR_PRECONDITION_REQUIRED',
  payloadTooLarge: 'GW_ERR_PAYLOAD_TOO_LARGE',
  unsupportedMediaType: 'GW_ERR_UNSUPPORTED_MEDIA_TYPE',
  methodNotAllowed: 'GW_ERR_METHOD_NOT_ALLOWED',
  upstreamUnavailable: 'GW_ERR_UPSTREAM_UNAVAILABLE',
  upstreamTimeout: 'GW_ERR_UPSTREAM_TIMEOUT',
  circuitOpen: 'GW_ERR_CIRCUIT_OPEN',
  internal: 'GW_ERR_INTERNAL',
} as const

export type GatewayErrorCode = (typeof codes)[keyof typeof codes]

export interface GatewayErrorOptions {
  /** Human-readable, safe to show a client; never a library's or a backend's internal message. */
  detail: string
  violations?: readonly FieldViolation[]
  /** Extra response headers (WWW-Authenticate, Retry-After, RateLimit, ...). */
  headers?: Record<string, string>
  /** For logs only: why, in words the client must not see (a jose error, a Redis error). */
  reason?: string
}

export class GatewayError extends Error {
  readonly [kGatewayError] = true
  readonly code: GatewayErrorCode
  readonly statusCode: number
  readonly title: string
  readonly violations: readonly FieldViolation[]
  readonly headers: Record<string, string>
  readonly reason: string | undefined

  constructor(code: GatewayErrorCode, statusCode: number, title: string, options: GatewayErrorOptions) {
    super(options.detail)
    this.name = 'GatewayError'
    this.code = code
    this.statusCode = statusCode
    this.title = title
    this.violations = options.violations ?? []
    this.headers = options.headers ?? {}
    this.reason = options.reason
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return typeof err === 'object' && err !== null && (err as { [kGatewayError]?: boolean })[kGatewayError] === true
}

/**
 * 401 with one uniform body whatever went wrong with the token; the precise cause goes to the
 * log through `reason`. `error` is the RFC 6750 error code for WWW-Authenticate.
 */
export function unauthenticated(error: 'invalid_request' | 'invalid_token', reason: string): GatewayError {
  const header = error === 'invalid_request' ? 'Bearer realm="catalog"' : 'Bearer realm="catalog", error="invalid_token"'
  return new GatewayError(codes.unauthenticated, 401, 'Unauthenticated', {
    detail: error === 'invalid_request' ? 'A bearer token is required.' : 'The bearer token is not valid.',
    headers: { 'www-authenticate': header },
    reason,
  })
}

export function forbidden(scope: string): GatewayError {
  return new GatewayError(codes.forbidden, 403, 'Forbidden', {
    detail: `The token lacks the scope "${scope}".`,
    headers: { 'www-authenticate': `Bearer realm="catalog", error="insufficient_scope", scope="${scope}"` },
  })
}
