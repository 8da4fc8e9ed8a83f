import { startTestCatalog, testRelays } from '@catalog/catalog-service/testing'
import { createMetrics, createUnaryClient, writePrincipal } from '@catalog/kit'
import { silentLogger, testCerts, pollUntil as until } from '@catalog/kit/testing'
import { events, loadCatalog } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import t from 'tap'
import { startIndexer } from '../src/indexer/start-indexer.ts'
import { startAtEnd, startSearch } from './helpers/search.ts'

const log = silentLogger()

interface Tap {
  teardown(fn: () => unknown): void
}

/** The whole write path: a real catalog with its relay, Kafka, and a search service with its indexer. */
async function pipeline(t: Tap, name: string) {
  const cat = await startTestCatalog(t)
  const srch = await startSearch(t)
  const { kafka, relay } = await testRelays(t, cat.pool, { clientId: name })
  relay().start()
  const groupId = `${name}-${Date.now()}`
  await startAtEnd(kafka, groupId, events.TOPICS.item)
  const indexerDeps = () => ({
    engine: srch.engine,
    log,
    metrics: createMetrics({ service: 's', defaultMetrics: false }),
    groupId,
    createTopics: true,
    // The indexer test, which may run beside this file, sends an event PostgreSQL refuses on every
    // attempt to the shared topic: unbounded retries would hold its partition here for ever.
    maxAttempts: 3,
  })
  const state = { indexer: await startIndexer(kafka, indexerDeps()) }
  const catalogClient = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
    address: cat.address,
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 5_000,
  })
  t.teardown(async () => {
    catalogClient.close()
    await state.indexer.stop()
  })
  const tenant = `${name}-${Date.now()}`
  return {
    srch,
    catalogClient,
    tenant,
    md: { metadata: writePrincipal(new Metadata(), { tenant, subject: 'u', scopes: [] }) },
    stopIndexer: () => state.indexer.stop(),
    restartIndexer: async () => {
      state.indexer = await startIndexer(kafka, indexerDeps())
    },
  }
}

t.test('catalog writes reach search through the outbox, Kafka and the indexer', async (t) => {
  const { srch, catalogClient, tenant, md } = await pipeline(t, 'e2e')
  const find = (q: string) => srch.client.call('Search', { q }, srch.as(tenant))

  const { item } = await catalogClient.call(
    'CreateItem',
    { source: 's', external_id: 'e1', fields: { title: 'Teapot of Tuesday' } },
    md,
  )
  const id = item?.id ?? ''
  await until(
    () => find('teapot'),
    (r) => r.hits.length === 1,
  )
  t.pass('a created item becomes searchable')

  await catalogClient.call('UpdateItem', { id, fields: { title: 'Kettle of Wednesday' }, update_mask: { paths: ['title'] } }, md)
  const renamed = await until(
    () => find('kettle'),
    (r) => r.hits.length === 1,
  )
  t.equal(renamed.hits[0]?.version, '2')
  t.same((await find('teapot')).hits, [], 'the old title no longer matches')

  await catalogClient.call('DeleteItem', { id }, md)
  await until(
    () => find('kettle'),
    (r) => r.hits.length === 0,
  )
  t.pass('a deleted item leaves the results')
})

t.test('stopping the indexer mid-stream and starting it again loses nothing and duplicates nothing', async (t) => {
  const { srch, catalogClient, tenant, md, stopIndexer, restartIndexer } = await pipeline(t, 'e2e-restart')
  const write = (i: number, rev: number) =>
    catalogClient.call(
      'UpsertItem',
      { source: 's', external_id: `r${i}`, fields: { title: `Widget ${i} rev ${rev}`, tags: [`rev${rev}`] } },
      md,
    )

  await Promise.all(Array.from({ length: 30 }, (_, i) => write(i, 1)))
  await stopIndexer() // while events may still be in flight
  await Promise.all(Array.from({ length: 30 }, (_, i) => write(i, 2)))
  await restartIndexer()
  const done = await until(
    () => srch.client.call('Search', { tags: ['rev2'], limit: 100 }, srch.as(tenant)),
    (r) => r.hits.length === 30,
  )
  t.ok(
    done.hits.every((h) => h.version === '2'),
    'every item at its last version',
  )
  const rows = await srch.pool.query('SELECT count(*)::int AS n FROM search_items WHERE tenant = $1', [tenant])
  t.equal(rows.rows[0].n, 30, 'one row per item: nothing duplicated')
})
