import type * as grpc from '@grpc/grpc-js'
import { Metadata } from '@grpc/grpc-js'
import type { UnaryClient } from '../grpc-client.ts'
import { createUnaryClient } from '../grpc-client.ts'
import { writePrincipal } from '../principal.ts'
import { testCerts } from './certs.ts'

/**
 * Clients of a running service at `address`, each with the test certificate of a platform
 * identity (closed when the test ends), and the metadata that forwards a user of `tenant`, as the
 * gateway does: what a test of the caller policy calls with.
 */
export function clientsOf<D extends grpc.ServiceDefinition>(
  t: { teardown(fn: () => unknown): void },
  service: D,
  address: string,
): { as(identity: string): UnaryClient<D>; forwarding(tenant?: string): { metadata: Metadata } } {
  return {
    as(identity) {
      const client = createUnaryClient(service, { address, tls: testCerts().of(identity), defaultTimeoutMs: 5_000 })
      t.teardown(() => client.close())
      return client
    },
    forwarding: (tenant = 'acme') => ({ metadata: writePrincipal(new Metadata(), { tenant, subject: 'u', scopes: [] }) }),
  }
}
