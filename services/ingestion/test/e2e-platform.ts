import { startIngestConsumer, startTestCatalog, testRelays } from '@catalog/catalog-service/testing'
import type { Pool } from '@catalog/kit'
import { createMetrics, createUnaryClient, readCloudEvent, writePrincipal } from '@catalog/kit'
import { silentLogger, startAtEnd, testCerts } from '@catalog/kit/testing'
import { events, loadSearch } from '@catalog/proto'
import { startIndexer } from '@catalog/search-service/indexer'
import { startTestSearch } from '@catalog/search-service/testing'
import { Metadata } from '@grpc/grpc-js'
import type { Tap } from './helpers.ts'

// The end-to-end files share this write path; each file is one load, so that each stays well inside
// tap's per-file bound.

const log = silentLogger()

/** The write path of a bulk load: catalog (ingest consumer + outbox relay), Kafka, search (indexer). */
export async function platform(t: Tap, name: string) {
  const cat = await startTestCatalog(t)
  const srch = await startTestSearch(t)
  const relays = await testRelays(t, cat.pool, { clientId: name })
  const { kafka, producer } = relays
  const metrics = () => createMetrics({ service: name, defaultMetrics: false })
  // The catalog's events as its relay publishes them (the outbox keeps only what waits).
  type Published = ReturnType<typeof readCloudEvent> & { key: string }
  const published: Published[] = []
  const recording = {
    ...producer,
    async sendBatch(batch: Parameters<typeof producer.sendBatch>[0]) {
      const result = await producer.sendBatch(batch)
      for (const { messages } of batch.topicMessages ?? [])
        for (const m of messages) published.push({ ...readCloudEvent(m.headers), key: String(m.key) })
      return result
    },
  } as typeof producer
  const relay = relays.relay({ producer: recording })
  relay.start()
  const group = `${name}-${Date.now()}`
  // The shared test broker holds earlier tests' records: these groups start at the end of it.
  await startAtEnd(kafka, `${group}-ingest`, events.INGESTION_TOPICS.record)
  await startAtEnd(kafka, `${group}-search`, events.TOPICS.item)
  const ingest = await startIngestConsumer(kafka, {
    pool: cat.pool,
    producer,
    log,
    metrics: metrics(),
    groupId: `${group}-ingest`,
  })
  const indexer = await startIndexer(kafka, {
    engine: srch.engine,
    log,
    metrics: metrics(),
    groupId: `${group}-search`,
    createTopics: true,
  })
  const search = createUnaryClient(loadSearch().grpc.search.v1.SearchService.service, {
    address: srch.address,
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 10_000,
  })
  t.teardown(async () => {
    search.close()
    await indexer.stop()
    await ingest.stop()
  })
  const searchTag = (tenant: string, tag: string) =>
    search.call(
      'Search',
      { tags: [tag], limit: 100 },
      { metadata: writePrincipal(new Metadata(), { tenant, subject: 'u', scopes: [] }) },
    )
  /**
   * The distinct events published so far of `tenant`'s items (the catalog applies every record on
   * the shared topic, another test's too), once the relay has published every committed one.
   */
  const publishedEvents = async (tenant: string, filter: (e: Published) => boolean = () => true) => {
    // A pass that was already running may have started before the last commit: run two.
    await relay.tick()
    await relay.tick()
    const { rows } = await cat.pool.query<{ id: string }>('SELECT id FROM items WHERE tenant = $1', [tenant])
    const mine = new Set(rows.map((r) => r.id))
    // Distinct by id: a pass run by hand beside the relay's own may send a row both took (at least
    // once; consumers drop a copy by its id). Two events of one change would be two ids.
    return new Set(published.filter((e) => mine.has(e.key) && filter(e)).map((e) => e.id)).size
  }
  const searchAs = (tenant: string, query: Record<string, unknown>) =>
    search.call('Search', query, { metadata: writePrincipal(new Metadata(), { tenant, subject: 'u', scopes: [] }) })
  return { cat, searchTag, searchAs, publishedEvents, ingestGroup: `${group}-ingest` }
}

export const count = async (pool: Pool, sql: string, params: unknown[]) =>
  (await pool.query<{ n: number }>(sql, params)).rows[0]?.n ?? -1
