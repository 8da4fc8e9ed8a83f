import type * as grpc from '@grpc/grpc-js'
import type { PackageDefinition } from '@grpc/proto-loader'
import type { PlatformGrpcServer } from '../grpc/grpc-server.ts'
import { createServiceServer } from '../grpc/grpc-server.ts'
import type { AsyncHandlers } from '../grpc/handlers.ts'
import { implement } from '../grpc/handlers.ts'
import type { Logger } from '../telemetry/log.ts'
import type { TlsFiles } from '../tls/tls.ts'
import { listenLocally, testServerDeps } from './service.ts'

/**
 * A stand-in for a platform service, for what the real one cannot be made to do on demand (fail,
 * stall, count calls): the same mTLS and caller policy as the real one (`identity`'s certificate,
 * the gateway its caller and forwarder unless `callers` says), only the methods a test or bench
 * calls implemented, every other answered UNIMPLEMENTED by grpc-js. Serving once it listens.
 */
export async function startStubService<H extends grpc.UntypedServiceImplementation>(
  stub: {
    identity: string
    name: string
    definition: PackageDefinition
    service: grpc.ServiceDefinition<H>
    callers?: readonly string[]
    /** Its certificates, if not the test certificate of `identity`. */
    tls?: TlsFiles
    /** Its logger, if not a silent one. */
    log?: Logger
    maxConnectionAgeMs?: number
  },
  handlers: Partial<AsyncHandlers<H>>,
): Promise<{ server: PlatformGrpcServer; port: number; address: string }> {
  const deps = testServerDeps(stub.identity, {
    ...(stub.tls ? { tls: stub.tls } : {}),
    ...(stub.log ? { log: stub.log } : {}),
    ...(stub.callers ? { callers: stub.callers } : {}),
  })
  const server = createServiceServer(stub.name, stub.definition, deps, stub.maxConnectionAgeMs)
  server.addService(stub.service, implement<H>(deps.log, handlers as AsyncHandlers<H>))
  return { server, ...(await listenLocally(server)) }
}
