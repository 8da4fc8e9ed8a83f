import type * as grpc from '@grpc/grpc-js'
import { Metadata, status } from '@grpc/grpc-js'
import type { UnaryClient } from '../grpc/grpc-client.ts'
import { createUnaryClient } from '../grpc/grpc-client.ts'
import { writePrincipal } from '../grpc/principal.ts'
import { testCerts } from './certs.ts'
import { reflectionStatus } from './reflection.ts'

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

interface Asserts {
  teardown(fn: () => unknown): void
  ok(value: unknown, message: string): unknown
  rejects(p: Promise<unknown>, expected: { code: grpc.status }, message: string): Promise<unknown>
  equal(found: unknown, wanted: unknown, message: string): unknown
}

/**
 * The caller policy of a running service, from outside: the gateway's forwarded principal is
 * served (`call` may still fail, but not for who asked); `other`, an allowed caller that is no
 * forwarder, is refused a principal and may not call without one; server reflection answers
 * `reflection.allowed` and refuses `reflection.refused`.
 */
export async function checkCallerPolicy<D extends grpc.ServiceDefinition>(
  t: Asserts,
  target: { service: D; address: string },
  call: (client: UnaryClient<D>, options?: { metadata: Metadata }) => Promise<unknown>,
  who: { other: string; reflection: { allowed: string; refused: string } },
): Promise<void> {
  const { as, forwarding } = clientsOf(t, target.service, target.address)
  const refusedFor = (err: unknown) => {
    const code = (err as { code?: grpc.status }).code
    return code === status.PERMISSION_DENIED || code === status.UNAUTHENTICATED
  }
  t.ok(
    await call(as('gateway'), forwarding()).then(
      () => true,
      (err: unknown) => !refusedFor(err),
    ),
    "the gateway's principal is served",
  )
  const other = as(who.other)
  await t.rejects(call(other, forwarding()), { code: status.PERMISSION_DENIED }, `${who.other}'s is refused`)
  await t.rejects(call(other), { code: status.UNAUTHENTICATED }, `though ${who.other} itself may call`)
  const { allowed, refused } = who.reflection
  t.equal(await reflectionStatus(target.address, testCerts().of(allowed)), status.OK, `reflection answers ${allowed}`)
  t.equal(await reflectionStatus(target.address, testCerts().of(refused)), status.PERMISSION_DENIED, 'and nobody else')
}
