import type { FieldViolation } from '@catalog/kit'
import { isPlatformError, PlatformError } from '@catalog/kit'
import { status as grpc } from '@grpc/grpc-js'

/**
 * The gateway's errors, declared once as fastify declares its `FST_ERR_*`: a stable code, the HTTP
 * status and the problem title (RFC 9457) a client sees; `problems/problem.ts` renders them as
 * application/problem+json in one place. Each also names the gRPC status a service would answer
 * with, since a gateway error is a platform error like any other: `isPlatformError` (the kit's one
 * brand) recognises both.
 */
export const errors = {
  GW_ERR_UNAUTHENTICATED: { status: 401, title: 'Unauthenticated', grpc: grpc.UNAUTHENTICATED },
  GW_ERR_FORBIDDEN: { status: 403, title: 'Forbidden', grpc: grpc.PERMISSION_DENIED },
  GW_ERR_RATE_LIMITED: { status: 429, title: 'Too Many Requests', grpc: grpc.RESOURCE_EXHAUSTED },
  GW_ERR_RATE_LIMIT_UNAVAILABLE: { status: 503, title: 'Service Unavailable', grpc: grpc.UNAVAILABLE },
  GW_ERR_VALIDATION: { status: 400, title: 'Bad Request', grpc: grpc.INVALID_ARGUMENT },
  GW_ERR_NOT_FOUND: { status: 404, title: 'Not Found', grpc: grpc.NOT_FOUND },
  GW_ERR_CONFLICT: { status: 409, title: 'Conflict', grpc: grpc.ABORTED },
  GW_ERR_PRECONDITION_FAILED: { status: 412, title: 'Precondition Failed', grpc: grpc.FAILED_PRECONDITION },
  GW_ERR_PRECONDITION_REQUIRED: { status: 428, title: 'Precondition Required', grpc: grpc.FAILED_PRECONDITION },
  GW_ERR_PAYLOAD_TOO_LARGE: { status: 413, title: 'Content Too Large', grpc: grpc.RESOURCE_EXHAUSTED },
  GW_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type', grpc: grpc.INVALID_ARGUMENT },
  GW_ERR_METHOD_NOT_ALLOWED: { status: 405, title: 'Method Not Allowed', grpc: grpc.UNIMPLEMENTED },
  GW_ERR_UPSTREAM_UNAVAILABLE: { status: 503, title: 'Service Unavailable', grpc: grpc.UNAVAILABLE },
  GW_ERR_UPSTREAM_TIMEOUT: { status: 504, title: 'Gateway Timeout', grpc: grpc.DEADLINE_EXCEEDED },
  GW_ERR_CIRCUIT_OPEN: { status: 503, title: 'Service Unavailable', grpc: grpc.UNAVAILABLE },
  GW_ERR_INTERNAL: { status: 500, title: 'Internal Server Error', grpc: grpc.INTERNAL },
} as const satisfies Record<`GW_ERR_${string}`, { status: number; title: string; grpc: grpc }>

export type GatewayErrorCode = keyof typeof errors

/** The codes by a short name, as call sites spell them (`codes.validation`). */
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
} as const satisfies Record<string, GatewayErrorCode>

export interface GatewayErrorOptions {
  /** Human-readable, safe to show a client; never a library's or a backend's internal message. */
  detail: string
  violations?: readonly FieldViolation[]
  /** Extra response headers (WWW-Authenticate, Retry-After, RateLimit, ...). */
  headers?: Record<string, string>
  /** For logs only: why, in words the client must not see (a jose error, a Redis error). */
  reason?: string
}

export class GatewayError extends PlatformError {
  declare readonly code: GatewayErrorCode
  readonly statusCode: number
  readonly title: string
  readonly headers: Record<string, string>
  readonly reason: string | undefined

  /** The status and title come from `errors`: a code means one answer wherever it is thrown. */
  constructor(code: GatewayErrorCode, options: GatewayErrorOptions) {
    const declared = errors[code]
    super(code, declared.grpc, options.detail, options.violations)
    this.name = 'GatewayError'
    this.statusCode = declared.status
    this.title = declared.title
    this.headers = options.headers ?? {}
    this.reason = options.reason
  }
}

/** A platform error (the one brand) that is one of the gateway's own, with its HTTP status and title. */
export function isGatewayError(err: unknown): err is GatewayError {
  return isPlatformError(err) && Object.hasOwn(errors, err.code) && typeof (err as GatewayError).statusCode === 'number'
}

/**
 * 401 with one uniform body whatever went wrong with the token; the precise cause goes to the
 * log through `reason`. `error` is the RFC 6750 error code for WWW-Authenticate.
 */
export function unauthenticated(error: 'invalid_request' | 'invalid_token', reason: string): GatewayError {
  const header = error === 'invalid_request' ? 'Bearer realm="catalog"' : 'Bearer realm="catalog", error="invalid_token"'
  return new GatewayError(codes.unauthenticated, {
    detail: error === 'invalid_request' ? 'A bearer token is required.' : 'The bearer token is not valid.',
    headers: { 'www-authenticate': header },
    reason,
  })
}

export function forbidden(scope: string): GatewayError {
  return new GatewayError(codes.forbidden, {
    detail: `The token lacks the scope "${scope}".`,
    headers: { 'www-authenticate': `Bearer realm="catalog", error="insufficient_scope", scope="${scope}"` },
  })
}
