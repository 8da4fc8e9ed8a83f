// The ingestion bench: a generated NDJSON file of N records (default 1,000,000) from file://,
// through ingestion, Kafka, the catalog (ingest consumer, outbox, relay), Kafka again and the
// search indexer, until every record is searchable. Beside it, in the same run: a raw COPY of the
// same rows into a search table with the same indexes (the physical limit), and the ratio. Also
// the peak RSS of the ingestion process. With BENCH_ENGINE=opensearch the search service indexes
// into OpenSearch (run.sh starts a node) and the baseline is the same records written straight to
// an index of their own by the indexer's own writes (_mget + _bulk per 5,000, one batch at a time).
//
//   bash scripts/bench/run.sh ingestion          env: BENCH_RECORDS (1000000), BENCH_ENGINE (postgres | opensearch)
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { createUnaryClient, migrate, writePrincipal } from '@catalog/kit'
import { logged, silentLogger, startServiceProcess } from '@catalog/kit/testing'
import { loadIngestion } from '@catalog/proto'
import { MIGRATIONS_DIR as SEARCH_MIGRATIONS } from '@catalog/search-service/server'
import { Metadata } from '@grpc/grpc-js'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { writeResult } from './load.ts'
import { itemGenerator } from './search-data.ts'
import { openSearchBench } from './search-opensearch.ts'
import { BENCH_KAFKA_ENV, benchDatabases, callerTls, INGESTION_NODE_OPTIONS, ROOT, tlsEnv } from './setup.ts'

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000)
const ENGINE = process.env.BENCH_ENGINE ?? 'postgres'
const openSearch = ENGINE === 'opensearch' ? await openSearchBench(2_000, 'ingest') : undefined
const ops = { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', HEALTH_PORT: '0', METRICS_PORT: '0', ...BENCH_KAFKA_ENV }

const databases = await benchDatabases()
const dbUrl = databases.create
const [catalogUrl, searchUrl, ingestionUrl, copyUrl] = [
  await dbUrl('catalog'),
  await dbUrl('search'),
  await dbUrl('ingestion'),
  await dbUrl('rawcopy'),
]

// 1. The input file.
const root = await mkdtemp(join(tmpdir(), 'ingest-bench-'))
// The bench tenant's area under the root: the only folder its file jobs may read.
const input = join(root, 'tenants', 'bench', 'bench.ndjson')
await mkdir(join(root, 'tenants', 'bench'), { recursive: true })
const generate = itemGenerator(11)
await pipeline(
  (function* () {
    for (let i = 0; i < N; i++) {
      const it = generate(i)
      const record = {
        source: 'bench',
        external_id: `r${i}`,
        title: it.title,
        description: it.description,
        tags: it.tags,
        ...(it.price ? { price: it.price } : {}),
        published_at: it.publishedAt.toISOString(),
      }
      yield `${JSON.stringify(record)}\n`
    }
  })(),
  createWriteStream(input),
)
console.log(`generated ${N.toLocaleString()} records`)

// 2. Baseline: raw COPY of the same rows into a search table with the same indexes, or on
// OpenSearch the same records written by the indexer's own write (applyChanges) in batches of 5,000,
// one at a time, into an index of their own.
const baseline = openSearch ? await bulkBaseline() : await copyBaseline()
console.log(`${baseline.name}: ${(N / baseline.seconds).toFixed(0)} ${baseline.unit}`)

async function bulkBaseline() {
  const index = await openSearchBench(2_000, 'rawbulk')
  const again = itemGenerator(11)
  const started = performance.now()
  await index.load(N, 5_000, (i) => ({ item: again(i), tenant: 'bench' }))
  const seconds = (performance.now() - started) / 1000
  // Gone before the platform's run: its merges would take the cores the run is measured on.
  await index.drop()
  index.close()
  return {
    name: "the indexer's write (_mget + _bulk) in batches of 5,000, one at a time, into an index of their own",
    unit: 'docs/s',
    seconds,
  }
}

async function copyBaseline() {
  await migrate(copyUrl, SEARCH_MIGRATIONS, silentLogger())
  const copyClient = new pg.Client({ connectionString: copyUrl })
  await copyClient.connect()
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
  const copyStart = performance.now()
  const copy = copyClient.query(
    copyFrom(
      'COPY search_items (id, tenant, version, title, description, tags, price_amount_minor, price_currency, published_at) FROM STDIN',
    ),
  )
  await pipeline(
    (async function* () {
      for await (const line of createInterface({ input: createReadStream(input) })) {
        if (!line) continue
        const r = JSON.parse(line)
        const tags = `{${(r.tags as string[]).map((t) => `"${t.replace(/["\\]/g, '\\$&')}"`).join(',')}}`
        yield `${randomUUID()}\tbench\t1\t${esc(r.title)}\t${esc(r.description)}\t${esc(tags)}\t${r.price?.amount_minor ?? '\\N'}\t${r.price?.currency ?? '\\N'}\t${r.published_at}\n`
      }
    })(),
    copy,
  )
  const seconds = (performance.now() - copyStart) / 1000
  await copyClient.end()
  return { name: 'raw COPY into the search table (same indexes)', unit: 'rows/s', seconds }
}

// 3. The platform, each service in its own process.
const catalog = await startServiceProcess(
  join(ROOT, 'services/catalog/src/main.ts'),
  { ...ops, DATABASE_URL: catalogUrl, ...tlsEnv('catalog') },
  { readyMessage: 'catalog ready', timeoutMs: 60_000 },
)
const search = await startServiceProcess(
  join(ROOT, 'services/search/src/main.ts'),
  { ...ops, DATABASE_URL: searchUrl, ...openSearch?.serviceEnv, ...tlsEnv('search') },
  { readyMessage: 'search ready', timeoutMs: 60_000 },
)
const ingestion = await startServiceProcess(
  join(ROOT, 'services/ingestion/src/main.ts'),
  {
    ...ops,
    DATABASE_URL: ingestionUrl,
    INGEST_FILE_ROOT: root,
    NODE_OPTIONS: INGESTION_NODE_OPTIONS,
    ...tlsEnv('ingestion'),
  },
  { readyMessage: 'ingestion ready', timeoutMs: 60_000 },
)
const client = createUnaryClient(loadIngestion().grpc.ingestion.v1.IngestionService.service, {
  address: `localhost:${logged<number>(ingestion.lines, 'port')}`,
  tls: callerTls(),
  defaultTimeoutMs: 60_000,
})
const metadata = writePrincipal(new Metadata(), { tenant: 'bench', subject: 'bench', scopes: [] })
const searchDb = new pg.Client({ connectionString: searchUrl })
await searchDb.connect()

const start = performance.now()
const { job } = await client.call('StartIngestion', { uri: 'file:///tenants/bench/bench.ndjson' }, { metadata })
let ingestSeconds = 0
let appliedSeconds = 0
for (;;) {
  await new Promise((r) => setTimeout(r, 1_000))
  if (!appliedSeconds) {
    const j = (await client.call('GetIngestion', { id: job?.id ?? '' }, { metadata })).job
    if (!ingestSeconds && j?.state !== 'JOB_STATE_RUNNING') ingestSeconds = (performance.now() - start) / 1000
    // Completed: the catalog applied every accepted record (applying until then).
    if (j?.state !== 'JOB_STATE_RUNNING' && j?.state !== 'JOB_STATE_APPLYING') appliedSeconds = (performance.now() - start) / 1000
  }
  const n = openSearch
    ? await openSearch.count()
    : ((await searchDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM search_items WHERE tenant = 'bench'`)).rows[0]?.n ??
      0)
  process.stdout.write(`\rsearchable ${n.toLocaleString()} of ${N.toLocaleString()}`)
  if (n >= N && appliedSeconds) break
}
const seconds = (performance.now() - start) / 1000
const status = await readFile(`/proc/${ingestion.child.pid}/status`, 'utf8')
const peakRss = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024

console.log(
  `\n\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
)
console.log(
  `records: ${N.toLocaleString()} NDJSON (${'file://'}), 3 service processes + Kafka + Postgres${openSearch ? ` + ${openSearch.about}` : ''} on this machine`,
)
console.log(
  `  ingestion job done (all records on Kafka): ${ingestSeconds.toFixed(1)} s, ${(N / ingestSeconds).toFixed(0)} records/s`,
)
console.log(
  `  job completed (the catalog applied all):   ${appliedSeconds.toFixed(1)} s, ${(N / appliedSeconds).toFixed(0)} records/s`,
)
console.log(`  end to end (every record searchable):     ${seconds.toFixed(1)} s, ${(N / seconds).toFixed(0)} records/s`)
console.log(`  ${baseline.name}: ${(N / baseline.seconds).toFixed(0)} ${baseline.unit}`)
console.log(`  ratio end to end / baseline: ${(baseline.seconds / seconds).toFixed(2)} (target >= 0.30)`)
console.log(`  ingestion peak RSS: ${peakRss.toFixed(0)} MiB (target < 256 MiB; NODE_OPTIONS ${INGESTION_NODE_OPTIONS})`)

await writeResult(openSearch ? 'ingestion-opensearch' : 'ingestion', {
  load: { records: N, ...(openSearch ? { engine: 'opensearch', engineAbout: openSearch.about } : {}) },
  ingestionRecordsPerSec: N / ingestSeconds,
  appliedRecordsPerSec: N / appliedSeconds,
  endToEndRecordsPerSec: N / seconds,
  ...(openSearch ? { bulkDocsPerSec: N / baseline.seconds } : { rawCopyRowsPerSec: N / baseline.seconds }),
  ratio: baseline.seconds / seconds,
  ingestionPeakRssMiB: peakRss,
})

client.close()
openSearch?.close()
await searchDb.end()
await Promise.all([ingestion.stop(), search.stop(), catalog.stop()])
await databases.drop()
await rm(root, { recursive: true, force: true })
