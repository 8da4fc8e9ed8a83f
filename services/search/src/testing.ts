import { randomBytes, randomUUID } from 'node:crypto'
import type { KafkaMessage, Logger, Metrics, Pool } from '@catalog/kit'
import { listenForTest, pollUntil, testServiceBase } from '@catalog/kit/testing'
import type { catalog, JsonObject } from '@catalog/proto'
import { events, jsonToStruct, toTimestamp } from '@catalog/proto'
import type { EngineName, SearchEngine } from './engine.ts'
import { createItemIndexer } from './indexer/item-indexer.ts'
import { indexNames } from './opensearch/index-template.ts'
import { createOpenSearchClient } from './opensearch/opensearch-client.ts'
import { createOpenSearchEngine } from './opensearch/opensearch-engine.ts'
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
  /** Every item the engine holds, tombstones too, by id: what a replay must leave unchanged. */
  snapshot(): Promise<IndexedItem[]>
  metrics: Metrics
}

export interface IndexedItem {
  id: string
  version: string
  deleted: boolean
  title: string
  tags: string[]
}

export interface TestSearchOptions {
  /** postgres by default; opensearch needs TEST_OPENSEARCH_URL (the test command starts a node). */
  engine?: EngineName
  statementTimeoutMs?: number
  expensiveLimits?: ExpensiveLimits
  countCap?: number
  patternScanMaxItems?: number
}

/** A real search service for tests: its own database on the test PostgreSQL, real mTLS, a free port. */
export async function startTestSearch(t: Tap, options: TestSearchOptions = {}): Promise<TestSearch> {
  const base = await testServiceBase(t, 'search', { migrationsDir: MIGRATIONS_DIR, poolMax: 6, statementTimeoutMs: 5_000 })
  const { pool, log, metrics } = base
  const bounds = {
    statementTimeoutMs: options.statementTimeoutMs ?? 2_000,
    countCap: options.countCap ?? COUNT_CAP,
    patternScanMaxItems: options.patternScanMaxItems ?? 50_000,
  }
  const store =
    options.engine === 'opensearch'
      ? await testOpenSearch(t, bounds, { log, metrics })
      : { engine: createPostgresEngine(pool, bounds), snapshot: () => postgresSnapshot(pool) }
  const { engine } = store
  const server = build({
    ...base.serverDeps,
    engine,
    // Below the pool of 6, as the service's config requires.
    expensiveLimits: options.expensiveLimits ?? { perTenant: 2, total: 4 },
  })
  const { address } = await listenForTest(t, server)
  const indexer = createItemIndexer(engine, metrics, log)
  return {
    address,
    pool,
    engine,
    metrics,
    index: (...messages) => indexer.handle(messages),
    snapshot: store.snapshot,
  }
}

const postgresSnapshot = async (pool: Pool) =>
  (await pool.query<IndexedItem>('SELECT id, version::text, deleted, title, tags FROM search_items ORDER BY id')).rows

/**
 * An OpenSearch engine on the test node, with an index of its own (a random prefix) removed at
 * teardown, and every write refreshed at once so a test searches what it just indexed.
 */
async function testOpenSearch(
  t: Tap,
  bounds: { statementTimeoutMs: number; countCap: number; patternScanMaxItems: number },
  deps: { log: Logger; metrics: Metrics },
) {
  const url = process.env.TEST_OPENSEARCH_URL
  if (!url) throw new Error('TEST_OPENSEARCH_URL is not set: scripts/test.sh starts OpenSearch and sets it')
  const indexPrefix = `test-${randomBytes(6).toString('hex')}`
  const engine = createOpenSearchEngine(
    { ...bounds, connection: { url }, indexPrefix, shards: 1, replicas: 0, refresh: true },
    deps,
  )
  const names = indexNames(indexPrefix)
  const client = createOpenSearchClient({ url })
  t.teardown(async () => {
    await engine.close()
    await client.call('DELETE', `/${names.alias}-*`)
    await client.call('DELETE', `/_index_template/${names.template}`)
    client.close()
  })
  // Creating an index on a busy machine can take longer than one readiness check waits.
  await pollUntil(
    () =>
      engine.ready().then(
        () => true,
        () => false,
      ),
    Boolean,
    60_000,
  )
  const snapshot = async (): Promise<IndexedItem[]> => {
    const reply = await client.ok<{ hits: { hits: { _source: IndexedItem & { title?: string; tags?: string[] } }[] } }>(
      'POST',
      `/${names.alias}/_search`,
      { size: 10_000, sort: [{ id: 'asc' }], _source: ['id', 'version', 'deleted', 'title', 'tags'] },
    )
    return reply.hits.hits.map(({ _source: d }) => ({
      id: d.id,
      version: d.version,
      deleted: d.deleted,
      title: d.title ?? '',
      tags: d.tags ?? [],
    }))
  }
  return { engine, snapshot }
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
