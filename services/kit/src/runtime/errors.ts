import { status } from '@grpc/grpc-js'

/**
 * Errors of the platform carry a stable code (`KIT_ERR_*`, `CAT_ERR_*`, `GW_ERR_*`, ...) and the
 * gRPC status they map to (the gateway's add their HTTP status). They are recognised by this one
 * brand, not `instanceof`, so that two copies of this package (or a plain object from another)
 * still agree.
 */
export const kPlatformError = Symbol.for('catalog-platform.error')

export interface FieldViolation {
  /** The offending field, as a path into the request (for example `fields.price.currency`). */
  field: string
  description: string
}

export class PlatformError extends Error {
  readonly [kPlatformError] = true
  readonly code: string
  readonly status: status
  readonly violations: readonly FieldViolation[]

  constructor(code: string, grpcStatus: status, message: string, violations: readonly FieldViolation[] = []) {
    super(message)
    this.name = 'PlatformError'
    this.code = code
    this.status = grpcStatus
    this.violations = violations
  }
}

export function isPlatformError(err: unknown): err is PlatformError {
  return typeof err === 'object' && err !== null && (err as { [kPlatformError]?: boolean })[kPlatformError] === true
}

/** Errors of the runtime itself. */
export const codes = {
  config: 'KIT_ERR_CONFIG',
  tls: 'KIT_ERR_TLS',
  unauthenticated: 'KIT_ERR_UNAUTHENTICATED',
  permissionDenied: 'KIT_ERR_PERMISSION_DENIED',
  invalidArgument: 'KIT_ERR_INVALID_ARGUMENT',
  deadlineExceeded: 'KIT_ERR_DEADLINE_EXCEEDED',
  queryTimeout: 'KIT_ERR_QUERY_TIMEOUT',
  unavailable: 'KIT_ERR_UNAVAILABLE',
  internal: 'KIT_ERR_INTERNAL',
} as const

export class ConfigError extends PlatformError {
  constructor(message: string) {
    super(codes.config, status.FAILED_PRECONDITION, message)
    this.name = 'ConfigError'
  }
}

export function invalidArgument(violations: readonly FieldViolation[], code: string = codes.invalidArgument): PlatformError {
  const message = violations.map((v) => `${v.field}: ${v.description}`).join('; ')
  return new PlatformError(code, status.INVALID_ARGUMENT, message, violations)
}

/** Failures of the connection, not of the request: a server refuses, drops or cannot take one. */
const UNAVAILABLE_CODES = new Set([
  // PostgreSQL (SQLSTATE): connection exceptions (not 08P01, protocol_violation, which a wrong
  // number of query parameters raises), the server stopping or starting, no connection slot free.
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // Sockets (to PostgreSQL, Kafka, the object store...).
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
// What pg and pg-pool throw, without a code, when a connection ends or cannot be had in time.
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/

/**
 * Whether `err` says a server this service needs (PostgreSQL, Kafka, the object store) cannot be
 * reached just now (a restart, a failover, no connection free), as opposed to refusing the request:
 * the caller may try again shortly, so it is UNAVAILABLE (503), not INTERNAL (500).
 */
export function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const { code, message } = err as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)
}

/**
 * Whether `err` is PostgreSQL cancelling a statement (SQLSTATE 57014, query_canceled): it ran past
 * the statement timeout (or an operator cancelled it).
 */
export function isQueryCanceled(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '57014'
}
