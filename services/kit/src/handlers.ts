import type * as grpc from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import { CALLER_HEADER } from './caller-policy.ts'
import { isPlatformError, isUnavailable } from './errors.ts'
import type { Logger } from './log.ts'
import type { Principal } from './principal.ts'
import { readPrincipal } from './principal.ts'
import { toStatus } from './rpc-status.ts'
import { parseTraceparent, withTraceparent } from './trace-context.ts'

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
 * Turns async handlers (unary, or client-streaming: the requests come as an async iterable) into
 * a grpc-js implementation: errors become statuses in one place
 * (`toStatus`), unexpected ones are logged with their stack and reach the caller as INTERNAL.
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
      const controller = new AbortController()
      call.once('cancelled', () => controller.abort())
      const ctx: CallContext = {
        metadata: call.metadata,
        caller: String(call.metadata.get(CALLER_HEADER)[0] ?? ''),
        principal: () => readPrincipal(call.metadata),
        signal: controller.signal,
      }
      // A client-streaming call has no single request: the handler reads the call itself.
      const input = 'request' in call && call.request !== undefined ? call.request : call
      // The caller's trace context follows the call into every event it writes.
      const traceparent = parseTraceparent(call.metadata.get('traceparent')[0])
      const started = performance.now()
      // One line per call, in the call's trace: what, who, how it ended, how long. No payloads.
      const done = (code: grpc.status) =>
        log.info(
          { method: name, caller: ctx.caller, code: status[code], ms: Math.round((performance.now() - started) * 10) / 10 },
          'call',
        )
      withTraceparent(traceparent, () =>
        handler(input, ctx).then(
          (response) => {
            done(status.OK)
            callback(null, response)
          },
          (err: unknown) => {
            const failure = toStatus(err)
            if (isUnavailable(err)) log.warn({ err, method: name }, 'a server this service needs is unavailable')
            else if (!isPlatformError(err)) log.error({ err, method: name }, 'unexpected error in handler')
            done(failure.code)
            callback(failure)
          },
        ),
      )
    }
  }
  return implementation as unknown as H
}
