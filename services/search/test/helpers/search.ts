import { randomUUID } from 'node:crypto'
import type { KafkaMessage, Pool, UnaryClient } from '@catalog/kit'
import { createMetrics, createPool, createUnaryClient, migrate, writePrincipal } from '@catalog/kit'
import { silentLogger, testCerts, testDatabase } from '@catalog/kit/testing'
import type { catalog, search } from '@catalog/proto'
import { events, loadSearch, toTimestamp } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import { createItemIndexer } from '../../src/indexer/item-indexer.ts'
import { build, MIGRATIONS_DIR } from '../../src/server.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface RunningSearch {
  pool: Pool
  client: UnaryClient<search.SearchServiceDefinition>
  as(tenant: string): { metadata: Metadata }
  /** Applies events straight through the indexer, as the consumer would. */
  index(...messages: KafkaMessage[]): Promise<void>
}

/** A real search service: its own database on the test PostgreSQL, over real mTLS. */
export async function startSearch(t: Tap, options: { statementTimeoutMs?: number } = {}): Promise<RunningSearch> {
  const log = silentLogger('search')
  const url = await testDatabase(t)
  await migrate(url, MIGRATIONS_DIR, log)
  const pool = createPool({ url, max: 6, statementTimeoutMs: 5_000, applicationName: 'search-test' }, log)
  const metrics = createMetrics({ service: 'search', defaultMetrics: false })
  const server = build({
    pool,
    log,
    metrics,
    tls: testCerts().of('search'),
    trustDomain: 'catalog.platform',
    callers: ['gateway'],
    statementTimeoutMs: options.statementTimeoutMs ?? 2_000,
  })
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, healthPort: 0 })
  server.setServing(true)
  const client = createUnaryClient(loadSearch().grpc.search.v1.SearchService.service, {
    address: `localhost:${port}`,
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 10_000,
  })
  t.teardown(async () => {
    client.close()
    await server.shutdown(2_000)
    await pool.end()
  })
  const indexer = createItemIndexer(pool, metrics)
  return {
    pool,
    client,
    as: (tenant) => ({ metadata: writePrincipal(new Metadata(), { tenant, subject: 'u', scopes: ['search:read'] }) }),
    index: (...messages) => indexer.handle(messages),
  }
}

let offset = 0
const message = (type: string, key: string, value: Buffer): KafkaMessage =>
  ({
    key: Buffer.from(key),
    value,
    offset: String(offset++),
    timestamp: String(Date.now()),
    attributes: 0,
    size: value.length,
    headers: {
      ce_id: randomUUID(),
      ce_type: type,
      ce_time: new Date().toISOString(),
      ce_source: '/catalog',
      ce_specversion: '1.0',
    },
  }) as unknown as KafkaMessage

export interface ItemSpec {
  id?: string
  tenant?: string
  version?: number
  title: string
  description?: string
  tags?: string[]
  price?: { amount_minor: number; currency: string } | null
  published_at?: string
}

export function upserted(spec: ItemSpec): KafkaMessage & { id: string } {
  const id = spec.id ?? randomUUID()
  const item: catalog.Item = {
    id,
    tenant: spec.tenant ?? 'acme',
    source: 's',
    external_id: id,
    title: spec.title,
    description: spec.description ?? '',
    tags: spec.tags ?? [],
    price: spec.price ? { amount_minor: String(spec.price.amount_minor), currency: spec.price.currency } : null,
    published_at: spec.published_at ? toTimestamp(new Date(spec.published_at)) : null,
    version: String(spec.version ?? 1),
  }
  return Object.assign(message(events.TYPES.itemUpserted, id, events.itemUpserted.encode({ item })), { id })
}

export function deleted(id: string, version: number, tenant = 'acme'): KafkaMessage {
  return message(events.TYPES.itemDeleted, id, events.itemDeleted.encode({ id, tenant, version: String(version) }))
}
