import * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import { codes, PlatformError } from '../runtime/errors.ts'
import type { TlsFiles } from '../tls/tls.ts'
import { channelCredentials } from '../tls/tls-credentials.ts'

// biome-ignore lint/suspicious/noExplicitAny: matches any request and response types
type AnyMethod = MethodDefinition<any, any, any, any>
export type RequestOf<M> = M extends MethodDefinition<infer Req, infer _Res, infer _ReqOut, infer _ResOut> ? Req : never
export type ResponseOf<M> = M extends MethodDefinition<infer _Req, infer _Res, infer _ReqOut, infer ResOut> ? ResOut : never
// The generated definitions also carry ServiceDefinition's string index signature: drop it.
export type UnaryKeys<D> = keyof { [K in keyof D as string extends K ? never : D[K] extends AnyMethod ? K : never]: D[K] } &
  string

export interface CallOptions {
  metadata?: grpc.Metadata
  /** Absolute deadline; defaults to now + the client's default timeout. */
  deadline?: Date
  signal?: AbortSignal
}

export interface UnaryClient<D> {
  call<K extends UnaryKeys<D>>(method: K, request: RequestOf<D[K]>, options?: CallOptions): Promise<ResponseOf<D[K]>>
  readonly raw: grpc.Client
  close(): void
}

export interface ClientOptions {
  address: string
  tls: TlsFiles
  /** The name the server certificate must carry, when the address does not (default: the address host). */
  serverName?: string
  defaultTimeoutMs: number
  channelOptions?: grpc.ChannelOptions
}

/** A typed, promise-based client over mTLS with this workload's certificate and a deadline on every call. */
export function createUnaryClient<D extends grpc.ServiceDefinition>(definition: D, options: ClientOptions): UnaryClient<D> {
  const client = new grpc.Client(options.address, channelCredentials(options.tls), {
    ...(options.serverName ? { 'grpc.ssl_target_name_override': options.serverName } : {}),
    'grpc.keepalive_time_ms': 30_000,
    ...options.channelOptions,
  })
  return {
    raw: client,
    close: () => client.close(),
    call(method, request, callOptions = {}) {
      const def = definition[method] as grpc.MethodDefinition<unknown, ResponseOf<D[typeof method]>> | undefined
      if (!def) throw new PlatformError(codes.internal, grpc.status.UNIMPLEMENTED, `unknown method ${method}`)
      const deadline = callOptions.deadline ?? new Date(Date.now() + options.defaultTimeoutMs)
      return new Promise((resolve, reject) => {
        const call = client.makeUnaryRequest(
          def.path,
          def.requestSerialize,
          def.responseDeserialize,
          request,
          callOptions.metadata ?? new grpc.Metadata(),
          { deadline },
          (err, response) => (err || response === undefined ? reject(err) : resolve(response)),
        )
        callOptions.signal?.addEventListener('abort', () => call.cancel(), { once: true })
      })
    },
  }
}
