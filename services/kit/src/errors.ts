import { status } from '@grpc/grpc-js'

/**
 * Errors of the platform carry a stable code (`KIT_ERR_*`, `CAT_ERR_*`, ...) and the gRPC status
 * they map to. They are recognised by a brand, not `instanceof`, so that two copies of this
 * package (or a plain object from another) still agree.
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
  databaseUnavailable: 'KIT_ERR_DATABASE_UNAVAILABLE',
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
