import type { PlatformGrpcServer, ServiceServerDeps } from '../grpc/grpc-server.ts'
import type { Pool } from '../postgres/postgres.ts'
import { createPool, migrate } from '../postgres/postgres.ts'
import type { Logger } from '../telemetry/log.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import { createMetrics } from '../telemetry/metrics.ts'
import { testCerts } from './certs.ts'
import { testDatabase } from './database.ts'
import { silentLogger } from './logger.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface TestServiceBase {
  url: string
  pool: Pool
  log: Logger
  metrics: Metrics
  /** What its server is built around: `identity`'s test certificate, the gateway its only caller. */
  serverDeps: ServiceServerDeps
}

/**
 * What every service's test instance starts from: its own database on the test PostgreSQL,
 * migrated, a pool of it (closed when the test ends, after whatever the test stops later), a
 * silent logger and its own metrics.
 */
export async function testServiceBase(
  t: Tap,
  identity: string,
  options: { migrationsDir: string; poolMax: number; statementTimeoutMs: number },
): Promise<TestServiceBase> {
  const log = silentLogger(identity)
  const url = await testDatabase(t)
  await migrate(url, options.migrationsDir, log)
  const pool = createPool(
    { url, max: options.poolMax, statementTimeoutMs: options.statementTimeoutMs, applicationName: `${identity}-test` },
    log,
  )
  t.teardown(() => pool.end())
  const serverDeps = testServerDeps(identity, { log })
  return { url, pool, log, metrics: serverDeps.metrics, serverDeps }
}

/**
 * What a test service's server is built around: `identity`'s test certificate, the test trust
 * domain, the gateway its only caller (and forwarder), a silent logger and metrics of its own.
 */
export function testServerDeps(identity: string, over: Partial<ServiceServerDeps> = {}): ServiceServerDeps {
  const log = over.log ?? silentLogger(identity)
  return {
    log,
    metrics: createMetrics({ service: identity, defaultMetrics: false }),
    tls: testCerts().of(identity),
    trustDomain: 'catalog.platform',
    callers: ['gateway'],
    ...over,
  }
}

/** Listens on free local ports and serves. */
export async function listenLocally(server: PlatformGrpcServer): Promise<{ port: number; address: string }> {
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, healthPort: 0 })
  server.setServing(true)
  return { port, address: `localhost:${port}` }
}

/** listenLocally, and drains (for up to 2 s) when the test ends, before its pool closes. */
export async function listenForTest(t: Tap, server: PlatformGrpcServer): Promise<{ port: number; address: string }> {
  const listening = await listenLocally(server)
  t.teardown(() => server.shutdown(2_000))
  return listening
}
