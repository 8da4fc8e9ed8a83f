import { rpcStatus } from '@catalog/proto'
import type { ServiceError, StatusObject } from '@grpc/grpc-js'
import { Metadata, status } from '@grpc/grpc-js'
import type { FieldViolation } from '../runtime/errors.ts'
import { codes, isPlatformError, isQueryCanceled, isUnavailable, PlatformError } from '../runtime/errors.ts'

const DETAILS_KEY = 'grpc-status-details-bin'

const UNAVAILABLE = new PlatformError(
  codes.unavailable,
  status.UNAVAILABLE,
  'a server this service needs is unavailable just now; try again shortly',
)

/**
 * A statement that ran into the statement timeout asked more of the database than a request may:
 * RESOURCE_EXHAUSTED (429 at the gateway), as search answers its own timeouts with a 4xx, and never
 * a fault that opens a caller's circuit for every tenant. A caller that knows the field at fault
 * (search's pattern, a price feed's window) says so itself before this.
 */
const QUERY_TIMEOUT = new PlatformError(
  codes.queryTimeout,
  status.RESOURCE_EXHAUSTED,
  'a query ran past the time the database allows it; narrow the request or try again later',
)

/**
 * The one place where errors become gRPC statuses. Platform errors keep their code, message and
 * field violations (as google.rpc.BadRequest in `grpc-status-details-bin`, the standard trailer);
 * PostgreSQL, Kafka or the object store out of reach (a restart, a failover) is UNAVAILABLE, which
 * callers may retry; a statement past its timeout is RESOURCE_EXHAUSTED; anything else becomes INTERNAL with a generic message, so no internals leak.
 */
export function toStatus(failure: unknown): Partial<StatusObject> & { code: status; details: string } {
  const err = isUnavailable(failure) ? UNAVAILABLE : isQueryCanceled(failure) ? QUERY_TIMEOUT : failure
  if (!isPlatformError(err)) return { code: status.INTERNAL, details: 'internal error' }
  const metadata = new Metadata()
  metadata.set('x-error-code', err.code)
  if (err.violations.length > 0) {
    const detail = rpcStatus.badRequest.encode({ field_violations: err.violations.map((v) => ({ ...v, reason: '' })) })
    const body = rpcStatus.status.encode({
      code: err.status,
      message: err.message,
      details: [{ type_url: rpcStatus.BAD_REQUEST_TYPE_URL, value: detail }],
    })
    metadata.set(DETAILS_KEY, body)
  }
  return { code: err.status, details: err.message, metadata }
}

/**
 * Whether `err` is the failure of a gRPC call (a status and its trailers), as grpc-js rejects a
 * call with: the other side's answer, which a platform error of this process is not.
 */
export function isServiceError(err: unknown): err is ServiceError {
  return typeof err === 'object' && err !== null && typeof (err as ServiceError).code === 'number' && 'metadata' in err
}

/** The field violations a failed call carried, for clients (the gateway turns them into problem+json). */
export function fieldViolationsOf(err: ServiceError): FieldViolation[] {
  const raw = err.metadata?.get(DETAILS_KEY)[0]
  if (!Buffer.isBuffer(raw)) return []
  try {
    const decoded = rpcStatus.status.decode(raw)
    return decoded.details
      .filter((d) => d.type_url === rpcStatus.BAD_REQUEST_TYPE_URL)
      .flatMap((d) => rpcStatus.badRequest.decode(d.value).field_violations)
      .map(({ field, description }) => ({ field, description }))
  } catch {
    return []
  }
}

export function errorCodeOf(err: ServiceError): string | undefined {
  const code = err.metadata?.get('x-error-code')[0]
  return typeof code === 'string' ? code : undefined
}
