import { createIngestApplier, startTestCatalog, testRelays } from '@catalog/catalog-service/testing'
import type { KafkaMessage, Logger, Pool } from '@catalog/kit'
import {
  createIdempotentProducer,
  createKafka,
  createLogger,
  createMetrics,
  createUnaryClient,
  ensureTopics,
  PLATFORM_TOPICS,
  writePrincipal,
} from '@catalog/kit'
import { grantPlatformAcls, pollUntil, testCerts, testKafka, testKafkaEnv } from '@catalog/kit/testing'
import type { catalog } from '@catalog/proto'
import { events, loadCatalog } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import type { RunningGateway } from './gateway.ts'
import { startGateway } from './gateway.ts'
import type { TestIdentity } from './identity.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

const silent = () => createLogger({ name: 'cache-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' })

/**
 * The KAFKA_* of the gateway's principal on the test broker when scripts/test.sh exports its
 * password (TEST_KAFKA_GATEWAY_PASSWORD), with the grants the topics Job makes; else the super user's.
 */
export async function gatewayKafkaEnv(): Promise<Record<string, string>> {
  const admin = testKafkaEnv('admin')
  const password = process.env.TEST_KAFKA_GATEWAY_PASSWORD
  const kafka = createKafka({ ...testKafka(), clientId: 'cache-test-setup', log: silent() })
  await ensureTopics(kafka, PLATFORM_TOPICS)
  if (!password || !admin.KAFKA_SASL_MECHANISM) return admin
  await grantPlatformAcls(kafka, { gateway: 'gateway', gatewayGroupPrefix: 'gateway-cache' })
  return { ...admin, KAFKA_SASL_USERNAME: 'gateway', KAFKA_SASL_PASSWORD: password }
}

/** A real catalog (own database, real mTLS) whose outbox relay publishes to the test broker, as the catalog does. */
export async function startPublishingCatalog(t: Tap): Promise<{ address: string; pool: Pool }> {
  const catalog = await startTestCatalog(t)
  ;(await testRelays(t, catalog.pool, { clientId: 'cache-test-catalog', pollMs: 20 })).relay().start()
  return { address: catalog.address, pool: catalog.pool }
}

export interface CachedGateway extends RunningGateway {
  /** The catalog's item reads this gateway made so far (GetItem and BatchGetItems calls). */
  catalogReads(): Promise<number>
}

/** The gateway app in front of `catalogAddress` with the caches `env` asks for (CACHE_ITEMS=true by default), once its stream is live. */
export async function startCachedGateway(
  t: Tap,
  catalogAddress: string,
  env: Record<string, string> = {},
  options: { log?: Logger; identity?: TestIdentity; waitLive?: boolean } = {},
): Promise<CachedGateway> {
  const gateway = await startGateway(
    t,
    catalogAddress,
    { ...(await gatewayKafkaEnv()), CACHE_ITEMS: 'true', ...env },
    { log: options.log ?? silent(), catalogCheck: false, ...(options.identity ? { identity: options.identity } : {}) },
  )
  if (options.waitLive !== false && gateway.cache.items) await pollUntil(() => gateway.cache.live, Boolean, 60_000)
  return {
    ...gateway,
    catalogReads: async () => {
      let n = 0
      for (const m of (await gateway.metrics()).matchAll(
        /^gateway_upstream_duration_seconds_count\{[^}]*method="(?:GetItem|BatchGetItems)"[^}]*\} (\d+)/gm,
      ))
        n += Number(m[1])
      return n
    },
  }
}

/** The value of one series of a scrape, or 0. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop())
  }
  return 0
}

/** The catalog's gRPC API called straight, as another service would: no gateway sees these writes. */
export function directCatalog(t: Tap, address: string) {
  const client = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
    address,
    tls: testCerts().of('gateway'),
    // A burst of writes queues on the test catalog's few connections.
    defaultTimeoutMs: 30_000,
  })
  t.teardown(() => client.close())
  const as = (tenant: string) => ({
    metadata: writePrincipal(new Metadata(), { tenant, subject: 'direct', scopes: ['items:read', 'items:write'] }),
  })
  const fields = (title: string): catalog.ItemFields => ({ title, description: '', tags: [], attributes: null, price: null })
  return {
    async create(tenant: string, externalId: string, title: string): Promise<catalog.Item__Output> {
      const res = await client.call(
        'CreateItem',
        { source: 'direct', external_id: externalId, fields: fields(title) },
        as(tenant),
      )
      return res.item as catalog.Item__Output
    },
    async update(tenant: string, id: string, title: string): Promise<catalog.Item__Output> {
      const res = await client.call('UpdateItem', { id, fields: fields(title), expected_version: '0' }, as(tenant))
      return res.item as catalog.Item__Output
    },
    async remove(tenant: string, id: string): Promise<void> {
      await client.call('DeleteItem', { id, expected_version: '0' }, as(tenant))
    },
  }
}

/**
 * Bulk loads into a catalog's database the way a bulk upload or a file drop reaches it: the
 * catalog's own ingest applier, one set-based batch per call, its events published by the relay.
 */
export async function bulkLoad(t: Tap, pool: Pool) {
  const log = silent()
  const kafka = createKafka({ ...testKafka(), clientId: 'cache-test-bulk', log })
  const producer = await createIdempotentProducer(kafka, log)
  t.teardown(() => producer.disconnect())
  const apply = createIngestApplier({
    pool,
    producer,
    log,
    metrics: createMetrics({ service: 'catalog', defaultMetrics: false }),
    groupId: 'cache-test-bulk',
  })
  let offset = 0
  const load = async (tenant: string, records: { externalId: string; title: string }[]) => {
    const messages = records.map(
      ({ externalId, title }) =>
        ({
          key: Buffer.from(`${tenant}/bulk/${externalId}`),
          value: events.recordSubmitted.encode({
            tenant,
            source: 'bulk',
            external_id: externalId,
            fields: { title, tags: ['bulk'] },
            job_id: `job-${tenant}`,
            position: String(++offset),
          }),
          offset: String(offset),
          headers: {},
          timestamp: String(Date.now()),
          attributes: 0,
        }) as KafkaMessage,
    )
    await apply(messages, { topic: events.INGESTION_TOPICS.record, partition: 0 })
  }
  /** The ids of `externalIds` of the bulk source, in that order. */
  const ids = async (tenant: string, externalIds: string[]): Promise<string[]> => {
    const { rows } = await pool.query<{ id: string; external_id: string }>(
      `SELECT id::text, external_id FROM items WHERE tenant = $1 AND source = 'bulk' AND external_id = ANY($2)`,
      [tenant, externalIds],
    )
    const byExternal = new Map(rows.map((r) => [r.external_id, r.id]))
    return externalIds.flatMap((e) => byExternal.get(e) ?? [])
  }
  return Object.assign(load, { ids })
}
