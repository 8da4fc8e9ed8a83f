import type * as grpc from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import { isPlatformError, isQueryCanceled, isUnavailable } from '../runtime/errors.ts'
import type { Logger } from '../telemetry/log.ts'
import { parseTraceparent, withTraceparent } from '../telemetry/trace-context.ts'
import { CALLER_HEADER } from './caller-policy.ts'
import type { Principal } from './principal.ts'
import { readPrincipal } from './principal.ts'
import { toStatus } from './rpc-status.ts'

export interface CallContext {
  readonly metadata: grpc.Metadata
  /** The verified identity of the calling workload. */
  readonly caller: string
  /** The end user the call acts for; throws UNAUTHENTICATED when the call carries none. */
  principal(): Principal
  /** Aborts when the client cancels or its deadline passes. */
  readonly signal: AbortSignal
}

type AsyncHandler<H> =
  H extends grpc.handleUnaryCall<infer Req, infer Res>
    ? (request: Req, ctx: CallContext) => Promise<Res>
    : H extends grpc.handleClientStreamingCall<infer Req, infer Res>
      ? (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>
      : never

export type AsyncHandlers<H> = { [K in keyof H]: AsyncHandler<H[K]> }

/**
 * Codes that say the server failed rather than the request (those OpenTelemetry's gRPC conventions
 * mark as server errors): a call ending with one is reported at warn or error. Every other call,
 * served or refused for a fault of its own, is counted by the metrics and logged only at debug.
 */
const SERVER_FAULTS: ReadonlySet<grpc.status> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
])

/**
 * Turns async handlers (unary, or client-streaming: the requests come as an async iterable) into
 * a grpc-js implementation: errors become statuses in one place
 * (`toStatus`), unexpected ones are logged with their stack and reach the caller as INTERNAL.
 *
 * Each call has one `call` line (method, caller, status, time, in the call's trace, never a
 * payload) at debug: at full load a line per call costs more than the rest of the kit's work on
 * it. A call the server failed is logged at warn or error whatever the level.
 */
export function implement<H extends grpc.UntypedServiceImplementation>(log: Logger, handlers: AsyncHandlers<H>): H {
  const implementation: Record<
    string,
    grpc.handleUnaryCall<unknown, unknown> | grpc.handleClientStreamingCall<unknown, unknown>
  > = {}
  for (const [name, handler] of Object.entries(handlers) as [string, (req: unknown, ctx: CallContext) => Promise<unknown>][]) {
    implementation[name] = (
      call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const started = performance.now()
      const ctx = new GrpcCallContext(call)
      // A client-streaming call has no single request: the handler reads the call itself.
      const input = 'request' in call && call.request !== undefined ? call.request : call
      // The caller's trace context follows the call into every event it writes.
      const traceparent = parseTraceparent(call.metadata.get('traceparent')[0])
      const fields = (code: grpc.status) => ({
        method: name,
        caller: ctx.caller,
        code: status[code],
        ms: Math.round((performance.now() - started) * 10) / 10,
      })
      const done = (code: grpc.status, level: 'debug' | 'warn' = 'debug') => {
        if (log.isLevelEnabled(level)) log[level](fields(code), 'call')
      }
      withTraceparent(traceparent, () =>
        handler(input, ctx).then(
          (response) => {
            done(status.OK)
            callback(null, response)
          },
          (err: unknown) => {
            const failure = toStatus(err)
            if (isUnavailable(err)) {
              log.warn({ err, ...fields(failure.code) }, 'a server this service needs is unavailable')
              done(failure.code)
            } else if (isQueryCanceled(err)) {
              log.warn({ err, ...fields(failure.code) }, 'a query ran past the statement timeout')
              done(failure.code)
            } else if (!isPlatformError(err)) {
              log.error({ err, ...fields(failure.code) }, 'unexpected error in handler')
              done(failure.code)
            } else {
              done(failure.code, SERVER_FAULTS.has(failure.code) ? 'warn' : 'debug')
            }
            callback(failure)
          },
        ),
      )
    }
  }
  return implementation as unknown as H
}

/**
 * What a handler is told of its call. The principal is read once, when first asked for, and the
 * signal made only for handlers that read it: grpc-js reports every call as cancelled once its
 * status is sent, and an abort costs a DOMException.
 */
class GrpcCallContext implements CallContext {
  readonly metadata: grpc.Metadata
  readonly caller: string
  readonly #call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>
  #principal: Principal | undefined
  #controller: AbortController | undefined

  constructor(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>) {
    this.#call = call
    this.metadata = call.metadata
    this.caller = String(call.metadata.get(CALLER_HEADER)[0] ?? '')
  }

  // A field, not a method: handlers may pass it on detached from the context.
  readonly principal = (): Principal => {
    this.#principal ??= readPrincipal(this.metadata)
    return this.#principal
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = new AbortController()
      if (this.#call.cancelled) controller.abort()
      else this.#call.once('cancelled', () => controller.abort())
      this.#controller = controller
    }
    return this.#controller.signal
  }
}
