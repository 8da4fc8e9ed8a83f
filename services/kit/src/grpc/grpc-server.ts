import { contractFileDescriptors } from '@catalog/proto'
import * as grpc from '@grpc/grpc-js'
import type { PackageDefinition } from '@grpc/proto-loader'
import { ReflectionService } from '@grpc/reflection'
import type { ServingStatus } from 'grpc-health-check'
import { HealthImplementation } from 'grpc-health-check'
import type { Logger } from '../telemetry/log.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import type { TlsFiles } from '../tls/tls.ts'
import { serverCredentials } from '../tls/tls-credentials.ts'
import type { CallerPolicy } from './caller-policy.ts'
import { createPolicyInterceptor } from './caller-policy.ts'

export interface GrpcServerOptions {
  tls: TlsFiles
  trustDomain: string
  policy: CallerPolicy
  log: Logger
  metrics: Metrics
  /** The contracts this server implements, for server reflection (offered to `policy.reflection` only). */
  definitions: PackageDefinition[]
  maxMessageBytes?: number
  /**
   * Connections older than this are closed gracefully (GOAWAY; calls in flight finish), so clients
   * spread over replicas that KEDA added and present certificates renewed since they connected.
   */
  maxConnectionAgeMs?: number
}

export interface PlatformGrpcServer {
  readonly server: grpc.Server
  addService<I extends grpc.UntypedServiceImplementation>(definition: grpc.ServiceDefinition<I>, implementation: I): void
  /** Binds the mTLS port and the plaintext health port; 0 picks free ports. */
  listen(address: { host: string; port: number; healthPort: number }): Promise<{ port: number; healthPort: number }>
  setServing(serving: boolean): void
  /** Stops taking calls, lets in-flight calls finish for up to `timeoutMs`, then cancels the rest. */
  shutdown(timeoutMs: number): Promise<void>
}

const OVERALL = ''

/**
 * Server reflection from the contracts' compiled descriptors (real file names, imports and
 * comments), offering only the services this server implements. proto-loader's own descriptors
 * are synthetic files without imports: grpcurl could list the services but not resolve a
 * well-known type such as google.protobuf.FieldMask, so it could neither describe nor call them.
 */
function reflectionService(definitions: readonly PackageDefinition[]): ReflectionService {
  // A service's entry holds its methods (each with a `path`); a message's, its descriptor.
  const services = definitions.flatMap((definition) =>
    Object.entries(definition)
      .filter(([, entry]) => !('format' in entry))
      .map(([name]) => name),
  )
  return new ReflectionService(
    { contracts: { fileDescriptorProtos: contractFileDescriptors() } } as unknown as PackageDefinition,
    {
      services,
    },
  )
}

/** What a platform service's server is built around, whatever else the service needs. */
export interface ServiceServerDeps {
  log: Logger
  metrics: Metrics
  tls: TlsFiles
  trustDomain: string
  /** Identities that may call the service. */
  callers: readonly string[]
  /** Of those, the ones whose forwarded user principal is trusted; unset: the gateway alone. */
  forwarders?: readonly string[]
  /** Identities that may use server reflection; unset: nobody. */
  reflection?: readonly string[]
}

/** The server of one platform service (`catalog.v1.CatalogService`), open to its callers alone. */
export function createServiceServer(
  service: string,
  definition: PackageDefinition,
  deps: ServiceServerDeps,
  maxConnectionAgeMs?: number,
): PlatformGrpcServer {
  return createGrpcServer({
    ...(maxConnectionAgeMs ? { maxConnectionAgeMs } : {}),
    tls: deps.tls,
    trustDomain: deps.trustDomain,
    policy: {
      allow: { [service]: deps.callers },
      forwarders: deps.forwarders ?? ['gateway'],
      reflection: deps.reflection ?? [],
    },
    log: deps.log,
    metrics: deps.metrics,
    definitions: [definition],
  })
}

export function createGrpcServer(options: GrpcServerOptions): PlatformGrpcServer {
  const maxBytes = options.maxMessageBytes ?? 4 * 1024 * 1024
  const server = new grpc.Server({
    interceptors: [createPolicyInterceptor(options)],
    'grpc.max_receive_message_length': maxBytes,
    'grpc.max_send_message_length': maxBytes,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_connection_age_ms': options.maxConnectionAgeMs ?? 5 * 60_000,
  })
  const serviceNames: string[] = []
  const health = new HealthImplementation({ [OVERALL]: 'NOT_SERVING' })
  health.addToServer(server)
  // Offered only when someone may use it: otherwise not even registered (UNIMPLEMENTED to all).
  if (options.policy.reflection?.length) reflectionService(options.definitions).addToServer(server)
  // Kubelet gRPC probes speak no TLS: this second server answers only grpc.health.v1.
  const healthServer = new grpc.Server()
  health.addToServer(healthServer)

  const setStatus = (status: ServingStatus) => {
    for (const name of [OVERALL, ...serviceNames]) health.setStatus(name, status)
  }

  const bind = (target: grpc.Server, addr: string, creds: grpc.ServerCredentials) =>
    new Promise<number>((resolve, reject) => target.bindAsync(addr, creds, (err, port) => (err ? reject(err) : resolve(port))))

  return {
    server,
    addService(definition, implementation) {
      server.addService(definition, implementation)
      const first = Object.values(definition)[0]
      const name = first?.path.split('/')[1]
      if (name) serviceNames.push(name)
    },
    async listen({ host, port, healthPort }) {
      const bound = await bind(server, `${host}:${port}`, serverCredentials(options.tls))
      const boundHealth = await bind(healthServer, `${host}:${healthPort}`, grpc.ServerCredentials.createInsecure())
      options.log.info({ port: bound, healthPort: boundHealth }, 'grpc server listening')
      return { port: bound, healthPort: boundHealth }
    },
    setServing(serving) {
      setStatus(serving ? 'SERVING' : 'NOT_SERVING')
    },
    async shutdown(timeoutMs) {
      setStatus('NOT_SERVING')
      const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()))
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs)
      })
      if ((await Promise.race([drained, timedOut])) === 'timeout') {
        options.log.warn({ timeoutMs }, 'in-flight calls outlived the shutdown timeout; cancelling them')
        server.forceShutdown()
      }
      clearTimeout(timer)
      healthServer.forceShutdown()
    },
  }
}
