import type { Pool, UnaryClient } from '@catalog/kit'
import { createMetrics, createPool, createUnaryClient, migrate, writePrincipal } from '@catalog/kit'
import { silentLogger, testCerts, testDatabase } from '@catalog/kit/testing'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import { build, MIGRATIONS_DIR } from '../../src/server.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface RunningCatalog {
  pool: Pool
  port: number
  url: string
  /** A client with the gateway's certificate. */
  client: UnaryClient<catalog.CatalogServiceDefinition>
  /** Metadata that forwards a principal of `tenant`, as the gateway does. */
  as(tenant: string): { metadata: Metadata }
  clientAs(identity: string): UnaryClient<catalog.CatalogServiceDefinition>
}

/** A real catalog: its own fresh database on the test PostgreSQL, over real mTLS on a free port. */
export async function startCatalog(t: Tap): Promise<RunningCatalog> {
  const log = silentLogger('catalog')
  const url = await testDatabase(t)
  await migrate(url, MIGRATIONS_DIR, log)
  const pool = createPool({ url, max: 8, statementTimeoutMs: 5_000, applicationName: 'catalog-test' }, log)
  const certs = testCerts()
  const server = build({
    pool,
    log,
    metrics: createMetrics({ service: 'catalog', defaultMetrics: false }),
    tls: certs.of('catalog'),
    trustDomain: 'catalog.platform',
    callers: ['gateway'],
  })
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, healthPort: 0 })
  server.setServing(true)
  const service = loadCatalog().grpc.catalog.v1.CatalogService.service
  const clientAs = (identity: string) => {
    const c = createUnaryClient(service, { address: `localhost:${port}`, tls: certs.of(identity), defaultTimeoutMs: 10_000 })
    t.teardown(() => c.close())
    return c
  }
  const client = clientAs('gateway')
  t.teardown(async () => {
    await server.shutdown(2_000)
    await pool.end()
  })
  return {
    pool,
    port,
    url,
    client,
    clientAs,
    as: (tenant) => ({ metadata: writePrincipal(new Metadata(), { tenant, subject: `user-of-${tenant}`, scopes: [] }) }),
  }
}

export const fields = (over: Partial<catalog.ItemFields> = {}): catalog.ItemFields => ({
  title: 'Half-Life 2',
  description: 'A crowbar, a physics gun and a long train ride.',
  tags: ['fps', 'classic'],
  attributes: { fields: { platform: { stringValue: 'pc' } } },
  price: { amount_minor: '999', currency: 'EUR' },
  published_at: { seconds: '1100736000', nanos: 0 },
  ...over,
})

export async function countRows(pool: Pool, table: 'items' | 'price_history' | 'outbox'): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)
  return rows[0]?.n ?? 0
}
