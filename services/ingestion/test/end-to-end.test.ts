import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { startIngestConsumer, startTestCatalog, testRelays } from '@catalog/catalog-service/testing'
import type { Pool } from '@catalog/kit'
import { createMetrics, createUnaryClient, readCloudEvent, writePrincipal } from '@catalog/kit'
import {
  logged,
  pollUntil,
  silentLogger,
  startAtEnd,
  startServiceProcess,
  testCerts,
  testDatabase,
  testKafkaEnv,
} from '@catalog/kit/testing'
import { events, loadSearch, structToJson } from '@catalog/proto'
import { startIndexer } from '@catalog/search-service/indexer'
import { startTestSearch } from '@catalog/search-service/testing'
import { Metadata } from '@grpc/grpc-js'
import t from 'tap'
import { gistsSource } from '../src/sources/gists-source.ts'
import { createS3Client } from '../src/sources/s3-source.ts'
import { startTestIngestion, testS3Env } from '../src/testing.ts'
import { fakeGitHub, gistsOf } from './fake-github.ts'
import { as, finished, ingestionClient, item, ndjson, upload, writeInput } from './helpers.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const log = silentLogger()
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

interface Tap {
  teardown(fn: () => unknown): void
}

/** The write path of a bulk load: catalog (ingest consumer + outbox relay), Kafka, search (indexer). */
async function platform(t: Tap, name: string) {
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
  /** The events published so far, once the relay has published every committed one. */
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

const count = async (pool: Pool, sql: string, params: unknown[]) =>
  (await pool.query<{ n: number }>(sql, params)).rows[0]?.n ?? -1

t.test('each format from each source ends up searchable; re-ingesting the same records changes nothing', async (t) => {
  const { cat, searchTag, publishedEvents } = await platform(t, 'e2e-formats')
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const tenant = `e2e-${Date.now()}`
  const tagged = (n: number, tag: string) => item(n, { source: 'shop', tags: [tag] })

  const traced = as(tenant)
  traced.metadata.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`)
  const fileJob = await client.call(
    'StartIngestion',
    { uri: await writeInput(ing.fileRoot, tenant, 'a.ndjson', ndjson([1, 2, 3].map((n) => tagged(n, 'from-file')))) },
    traced,
  )
  const uploadJob = await upload(
    ing.address,
    tenant,
    { format: 'json' },
    Buffer.from(JSON.stringify([4, 5].map((n) => tagged(n, 'from-upload')))),
  )
  const csv = writeInput(ing.fileRoot, tenant, 'c.csv', 'external_id,title,tags\nx6,Six,from-csv\nx7,Seven,from-csv\n')
  const csvJob = await client.call('StartIngestion', { uri: await csv }, as(tenant))
  const s3 = testS3Env()
  if (s3) {
    const client3 = createS3Client(s3)
    await client3.send(new CreateBucketCommand({ Bucket: 'ingest-test' })).catch(() => undefined)
    await client3.send(
      new PutObjectCommand({
        Bucket: 'ingest-test',
        Key: `tenants/${tenant}/d.ndjson.gz`,
        Body: gzipSync(ndjson([8, 9].map((n) => tagged(n, 'from-s3')))),
      }),
    )
    const s3Job = await client.call('StartIngestion', { uri: `s3://ingest-test/tenants/${tenant}/d.ndjson.gz` }, as(tenant))
    t.equal((await finished(client, tenant, s3Job.job?.id ?? '')).accepted, '2')
    await pollUntil(
      () => searchTag(tenant, 'from-s3'),
      (r) => r.hits.length === 2,
      30_000,
    )
  }
  for (const id of [fileJob.job?.id, uploadJob.job?.id, csvJob.job?.id])
    t.equal((await finished(client, tenant, id ?? '')).state, 'JOB_STATE_COMPLETED')
  for (const [tag, n] of [
    ['from-file', 3],
    ['from-upload', 2],
    ['from-csv', 2],
  ] as const) {
    const res = await pollUntil(
      () => searchTag(tenant, tag),
      (r) => r.hits.length === n,
      30_000,
    )
    t.equal(res.hits.length, n, `every ${tag} item is searchable`)
  }
  const before = await publishedEvents(tenant)
  t.equal(
    await publishedEvents(tenant, (e) => e.type === 'item.upserted' && e.traceparent?.split('-')[1] === TRACE_ID),
    3,
    'the trace of the call that started the job reaches the catalog events of its records',
  )

  // The same records under another name: a new job, the same catalog, no new events.
  const again = await client.call(
    'StartIngestion',
    { uri: await writeInput(ing.fileRoot, tenant, 'a-copy.ndjson', ndjson([1, 2, 3].map((n) => tagged(n, 'from-file')))) },
    as(tenant),
  )
  t.equal((await finished(client, tenant, again.job?.id ?? '')).accepted, '3')
  // A marker record behind them on the same partition proves the consumer got past them.
  const marker = await upload(ing.address, tenant, {}, Buffer.from(ndjson([item(99, { tags: ['marker'] })])))
  t.equal(marker.job?.accepted, '1')
  await pollUntil(
    () => searchTag(tenant, 'marker'),
    (r) => r.hits.length === 1,
    30_000,
  )
  t.equal(await publishedEvents(tenant), before + 2, 'only the marker made events (item + price)')
  t.equal(await count(cat.pool, 'SELECT max(version)::int AS n FROM items WHERE tenant = $1', [tenant]), 1, 'no version moved')
})

t.test('killing the ingestion process mid-file and starting the file again: exact counts, no duplicate events', async (t) => {
  const { cat, publishedEvents, ingestGroup } = await platform(t, 'e2e-kill')
  const root = await mkdtemp(join(tmpdir(), 'ingest-kill-'))
  const N = 10_000
  const tenant = `kill-${Date.now()}`
  const uri = await writeInput(root, tenant, 'big.ndjson', ndjson(Array.from({ length: N }, (_, i) => item(i))))
  const env = {
    DATABASE_URL: await testDatabase(t),
    ...testKafkaEnv('ingestion'),
    KAFKA_CREATE_TOPICS: 'false',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    ...testCerts().env('ingestion'),
    INGEST_FILE_ROOT: root,
    INGEST_JOB_LEASE_MS: '1000',
    INGEST_PROGRESS_MS: '100',
    INGEST_BATCH_RECORDS: '100',
    // A group of its own on the shared broker: another test's ingestion process would take partitions of it.
    INGESTION_APPLIED_GROUP: `ingestion-applied-e2e-${Date.now()}`,
    INGEST_CATALOG_GROUP: ingestGroup,
  }
  const first = await startServiceProcess(MAIN, env, { readyMessage: 'ingestion ready', timeoutMs: 60_000 })
  t.teardown(() => first.child.kill('SIGKILL'))
  const c1 = ingestionClient(t, `localhost:${logged<number>(first.lines, 'port')}`)
  const { job } = await c1.call('StartIngestion', { uri }, as(tenant))
  await pollUntil(
    () => c1.call('GetIngestion', { id: job?.id ?? '' }, as(tenant)),
    (r) => Number(r.job?.accepted) >= 1_000,
    30_000,
  )
  first.child.kill('SIGKILL')
  c1.close()

  const second = await startServiceProcess(MAIN, env, { readyMessage: 'ingestion ready', timeoutMs: 60_000 })
  t.teardown(() => second.stop())
  const c2 = ingestionClient(t, `localhost:${logged<number>(second.lines, 'port')}`)
  const retried = await pollUntil(
    () => c2.call('StartIngestion', { uri }, as(tenant)),
    (r) => !r.duplicate, // The dead job is a duplicate until its lease runs out.
    20_000,
  )
  t.not(retried.job?.id, job?.id, 'a new job replaces the interrupted one')
  const killed = (await c2.call('GetIngestion', { id: job?.id ?? '' }, as(tenant))).job
  t.equal(killed?.state, 'JOB_STATE_FAILED')
  t.match(killed?.error, /interrupted/)
  const done = await finished(c2, tenant, retried.job?.id ?? '')
  t.equal(done.accepted, String(N))
  await pollUntil(
    () => count(cat.pool, 'SELECT count(*)::int AS n FROM items WHERE tenant = $1', [tenant]),
    (n) => n === N,
    120_000,
  )
  t.equal(await count(cat.pool, 'SELECT count(*)::int AS n FROM items WHERE tenant = $1', [tenant]), N, 'every record once')
  t.equal(
    await count(cat.pool, 'SELECT max(version)::int AS n FROM items WHERE tenant = $1', [tenant]),
    1,
    'none applied twice as a change',
  )
  // The relay publishes in passes: on a busy machine two passes may not have reached the last ones yet.
  const upserted = () => publishedEvents(tenant, (e) => e.type === 'item.upserted')
  await pollUntil(upserted, (n) => n >= N, 60_000)
  t.equal(await upserted(), N, 'one item event per record: the re-read records changed nothing')
})

t.test("the gist seed: a user's gists imported, then found by regular expression with their download links", async (t) => {
  const { searchAs } = await platform(t, 'e2e-gists')
  const github = await fakeGitHub(t, { octocat: gistsOf('octocat', 120) })
  const gists = gistsSource({
    apiUrl: github.url,
    rawOrigins: [],
    tokenOf: () => undefined,
    maxFileBytes: 64 * 1024,
    maxGists: 10_000,
    maxRateLimitWaitMs: 10_000,
    requestTimeoutMs: 5_000,
    log,
  })
  const ing = await startTestIngestion(t, {}, { gists })
  const client = ingestionClient(t, ing.address)
  const tenant = `gists-${Date.now()}`
  const { job } = await client.call('StartIngestion', { uri: 'github-gists://octocat' }, as(tenant))
  t.equal((await finished(client, tenant, job?.id ?? '')).accepted, '120')
  // GET /v1/search?source=github-gists:octocat&pattern=\d{4}: every tenth gist holds a note with a year.
  const query = { source: 'github-gists:octocat', pattern: '\\d{4}', limit: 5 }
  const first = await pollUntil(
    () => searchAs(tenant, query),
    (r) => Number(r.estimated_total) === 12,
    30_000,
  )
  t.equal(first.hits.length, 5, 'paged')
  const hit = first.hits[0]
  t.match(hit, { source: 'github-gists:octocat', external_id: /^octocat-\d{4}$/ })
  const files = (structToJson(hit?.attributes ?? { fields: {} }) as { files: { name: string; raw_url: string }[] }).files
  t.ok(
    files.some((f) => f.name.startsWith('notes-') && f.raw_url.startsWith(`${github.url}/raw/`)),
    'a download link for each file of the match',
  )
  const ids = new Set(first.hits.map((h) => h.external_id))
  let cursor = first.next_cursor
  while (cursor) {
    const page = await searchAs(tenant, { ...query, cursor })
    for (const h of page.hits) ids.add(h.external_id)
    cursor = page.next_cursor
  }
  t.same(
    [...ids].sort(),
    Array.from({ length: 12 }, (_, i) => `octocat-${String(i * 10).padStart(4, '0')}`),
    'the matching gists, every page',
  )
})
