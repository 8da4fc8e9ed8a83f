import { randomUUID } from 'node:crypto'
import type { KafkaMessage, Metrics, Pool } from '@catalog/kit'
import { createMetrics, createPool, migrate } from '@catalog/kit'
import { silentLogger, testCerts, testDatabase } from '@catalog/kit/testing'
import type { catalog, JsonObject } from '@catalog/proto'
import { events, jsonToStruct, toTimestamp } from '@catalog/proto'
import type { SearchEngine } from './engine.ts'
import { createItemIndexer } from './indexer/item-indexer.ts'
import { createPostgresEngine } from './postgres/postgres-engine.ts'
import { COUNT_CAP } from './postgres/search-sql.ts'
import type { ExpensiveLimits } from './query/expensive-limit.ts'
import { build, MIGRATIONS_DIR } from './server.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface TestSearch {
  address: string
  pool: Pool
  /** The engine the server answers from, for an indexer of the test's own. */
  engine: SearchEngine
  /** Applies events straight through the indexer, as the consumer would. */
  index(...messages: KafkaMessage[]): Promise<void>
  metrics: Metrics
}

export interface TestSearchOptions {
  statementTimeoutMs?: number
  expensiveLimits?: ExpensiveLimits
  countCap?: number
  patternScanMaxItems?: number
}

/** A real search service for tests: its own database on the test PostgreSQL, real mTLS, a free port. */
export async function startTestSearch(t: Tap, options: TestSearchOptions = {}): Promise<TestSearch> {
  const log = silentLogger('search')
  const url = await testDatabase(t)
  await migrate(url, MIGRATIONS_DIR, log)
  const pool = createPool({ url, max: 6, statementTimeoutMs: 5_000, applicationName: 'search-test' }, log)
  const metrics = createMetrics({ service: 'search', defaultMetrics: false })
  const engine = createPostgresEngine(pool, {
    statementTimeoutMs: options.statementTimeoutMs ?? 2_000,
    countCap: options.countCap ?? COUNT_CAP,
    patternScanMaxItems: options.patternScanMaxItems ?? 50_000,
  })
  const server = build({
    engine,
    log,
    metrics,
    tls: testCerts().of('search'),
    trustDomain: 'catalog.platform',
    callers: ['gateway'],
    // Below the pool of 6, as the service's config requires.
    expensiveLimits: options.expensiveLimits ?? { perTenant: 2, total: 4 },
  })
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, healthPort: 0 })
  server.setServing(true)
  t.teardown(async () => {
    await server.shutdown(2_000)
    await pool.end()
  })
  const indexer = createItemIndexer(engine, metrics, log)
  return { address: `localhost:${port}`, pool, engine, metrics, index: (...messages) => indexer.handle(messages) }
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
  source?: string
  external_id?: string
  attributes?: JsonObject
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
    source: spec.source ?? 's',
    external_id: spec.external_id ?? id,
    attributes: spec.attributes ? jsonToStruct(spec.attributes) : null,
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
