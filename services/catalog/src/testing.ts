import type { PlatformGrpcServer, Pool } from '@catalog/kit'
import { createMetrics, createPool, migrate } from '@catalog/kit'
import { silentLogger, testCerts, testDatabase } from '@catalog/kit/testing'
import { build, MIGRATIONS_DIR } from './server.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

/** A real catalog for other packages' tests: its own fresh database, real mTLS, a free port. */
export async function startTestCatalog(
  t: Tap,
): Promise<{ address: string; port: number; pool: Pool; url: string; server: PlatformGrpcServer }> {
  const log = silentLogger('catalog')
  const url = await testDatabase(t)
  await migrate(url, MIGRATIONS_DIR, log)
  const pool = createPool({ url, max: 8, statementTimeoutMs: 5_000, applicationName: 'catalog-test' }, log)
  const server = build({
    pool,
    log,
    metrics: createMetrics({ service: 'catalog', defaultMetrics: false }),
    tls: testCerts().of('catalog'),
    trustDomain: 'catalog.platform',
    callers: ['gateway'],
  })
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, healthPort: 0 })
  server.setServing(true)
  t.teardown(async () => {
    await server.shutdown(2_000)
    await pool.end()
  })
  return { address: `localhost:${port}`, port, pool, url, server }
}
