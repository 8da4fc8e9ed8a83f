import type * as grpc from '@grpc/grpc-js'
import { CALLER_HEADER } from './caller-policy.ts'
import { isPlatformError } from './errors.ts'
import type { Logger } from './log.ts'
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

type AsyncUnary<H> =
  H extends grpc.handleUnaryCall<infer Req, infer Res> ? (request: Req, ctx: CallContext) => Promise<Res> : never

export type AsyncHandlers<H> = { [K in keyof H]: AsyncUnary<H[K]> }

/**
 * Turns async handlers into a grpc-js implementation: errors become statuses in one place
 * (`toStatus`), unexpected ones are logged with their stack and reach the caller as INTERNAL.
 */
export function implement<H extends grpc.UntypedServiceImplementation>(log: Logger, handlers: AsyncHandlers<H>): H {
  const implementation: Record<string, grpc.handleUnaryCall<unknown, unknown>> = {}
  for (const [name, handler] of Object.entries(handlers) as [string, (req: unknown, ctx: CallContext) => Promise<unknown>][]) {
    implementation[name] = (call, callback) => {
      const controller = new AbortController()
      call.once('cancelled', () => controller.abort())
      const ctx: CallContext = {
        metadata: call.metadata,
        caller: String(call.metadata.get(CALLER_HEADER)[0] ?? ''),
        principal: () => readPrincipal(call.metadata),
        signal: controller.signal,
      }
      handler(call.request, ctx).then(
        (response) => callback(null, response),
        (err: unknown) => {
          if (!isPlatformError(err)) log.error({ err, method: name }, 'unexpected error in handler')
          callback(toStatus(err))
        },
      )
    }
  }
  return implementation as unknown as H
}
