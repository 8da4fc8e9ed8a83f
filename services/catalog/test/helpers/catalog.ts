import type { Pool, UnaryClient } from '@catalog/kit'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { testCerts } from '@catalog/kit/testing'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import { startTestCatalog } from '../../src/testing.ts'

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
  const { pool, port, url } = await startTestCatalog(t)
  const certs = testCerts()
  const service = loadCatalog().grpc.catalog.v1.CatalogService.service
  const clientAs = (identity: string) => {
    const c = createUnaryClient(service, { address: `localhost:${port}`, tls: certs.of(identity), defaultTimeoutMs: 10_000 })
    t.teardown(() => c.close())
    return c
  }
  const client = clientAs('gateway')
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

export async function countRows(
  pool: Pool,
  table: 'items' | 'price_history' | 'outbox_events' | 'ingest_progress',
): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)
  return rows[0]?.n ?? 0
}
