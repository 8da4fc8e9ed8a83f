// The search bench: loads N generated items into the search read model, then measures each query
// kind through the search gRPC API (mTLS, in its own process) beside the same SQL run directly on
// the database in the same run, and the freshness of the index at a steady catalog write rate.
// With BENCH_ENGINE=opensearch the same items go into an OpenSearch index (search-opensearch.ts),
// the service answers from it and its indexer writes to it, and the direct baseline is the search
// body the engine builds, sent straight to the cluster.
//
//   bash scripts/bench/run.sh search
//   BENCH_ENGINE=opensearch bash scripts/bench/run.sh search   (run.sh starts the OpenSearch node)
//   env: BENCH_ITEMS (1000000), BENCH_QUERIES (200 per kind), BENCH_WRITE_RATE (500/s), BENCH_WRITE_SECONDS (10),
//        BENCH_ENGINE (postgres | opensearch), BENCH_OPENSEARCH_SHARDS (1), BENCH_IN_FLIGHT (4 queries at once),
//        BENCH_SEARCH_NODE_ARGS (the search service's node flags, e.g. --cpu-prof),
//        BENCH_ONE_AT_A_TIME (1: each kind's queries again one at a time, both ways; 0 skips it)
import { randomUUID } from 'node:crypto'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { createUnaryClient, migrate, writePrincipal } from '@catalog/kit'
import { logged, silentLogger, startServiceProcess } from '@catalog/kit/testing'
import type { search } from '@catalog/proto'
import { loadCatalog, loadSearch } from '@catalog/proto'
import { checkRequest, pageAndSummary, searchSql } from '@catalog/search-service/query'
import { MIGRATIONS_DIR } from '@catalog/search-service/server'
import { Metadata } from '@grpc/grpc-js'
import pg from 'pg'
import { writeResult } from './load.ts'
import { itemGenerator, mulberry32, TAG_LIST, VOCABULARY } from './search-data.ts'
import { openSearchBench } from './search-opensearch.ts'
import { BENCH_KAFKA_ENV, benchDatabases, callerTls, ROOT, tlsEnv } from './setup.ts'

const N = Number(process.env.BENCH_ITEMS ?? 1_000_000)
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200)
const IN_FLIGHT = Math.max(1, Number(process.env.BENCH_IN_FLIGHT) || 4)
// A lone query's latency beside the latency under load: on two cores four in flight queue for CPU.
const ONE_AT_A_TIME = process.env.BENCH_ONE_AT_A_TIME !== '0' && IN_FLIGHT > 1
const WRITE_RATE = Number(process.env.BENCH_WRITE_RATE ?? 500)
const WRITE_SECONDS = Number(process.env.BENCH_WRITE_SECONDS ?? 10)
const ENGINE = process.env.BENCH_ENGINE ?? 'postgres'
if (ENGINE !== 'postgres' && ENGINE !== 'opensearch') throw new Error(`BENCH_ENGINE=${ENGINE}: postgres or opensearch`)
const STATEMENT_TIMEOUT_MS = process.env.BENCH_STATEMENT_TIMEOUT_MS ?? '2000'
const openSearch = ENGINE === 'opensearch' ? await openSearchBench(Number(STATEMENT_TIMEOUT_MS)) : undefined

const databases = await benchDatabases()
const searchUrl = await databases.create('bench_search')
const catalogUrl = await databases.create('bench_catalog')
await migrate(searchUrl, MIGRATIONS_DIR, silentLogger())

// 1. Load.
const pool = new pg.Pool({ connectionString: searchUrl, max: 8 })
const generate = itemGenerator(42)
const tenantOf = (i: number) => (i % 20 === 0 ? 'other' : 'bench')
const loadStart = performance.now()
const BATCH = 5_000
async function loadPostgres() {
  for (let from = 0; from < N; from += BATCH) {
    const cols: unknown[][] = [[], [], [], [], [], [], [], []]
    for (let i = from; i < Math.min(N, from + BATCH); i++) {
      const item = generate(i)
      const row = [
        randomUUID(),
        item.title,
        item.description,
        JSON.stringify(item.tags),
        item.price?.amount_minor ?? null,
        item.price?.currency ?? null,
        item.publishedAt,
        tenantOf(i),
      ]
      for (const [c, v] of row.entries()) cols[c]?.push(v)
    }
    await pool.query(
      `INSERT INTO search_items (id, title, description, tags, price_amount_minor, price_currency, published_at, tenant, version)
     SELECT id, title, description, ARRAY(SELECT jsonb_array_elements_text(tags::jsonb)), price, currency, published_at, tenant, 1
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[], $8::text[])
            AS t(id, title, description, tags, price, currency, published_at, tenant)`,
      cols,
    )
    if (from % 100_000 === 0) process.stdout.write(`\rloaded ${from.toLocaleString()} of ${N.toLocaleString()}`)
  }
  // What autovacuum does after a bulk insert: statistics, and the visibility map that lets a count read only index entries.
  await pool.query('VACUUM (ANALYZE) search_items, search_item_tags')
}
if (openSearch) await openSearch.load(N, BATCH, (i) => ({ item: generate(i), tenant: tenantOf(i) }))
else await loadPostgres()
const loadSeconds = (performance.now() - loadStart) / 1000
console.log(
  openSearch
    ? `\rindexed ${N.toLocaleString()} documents in ${loadSeconds.toFixed(0)} s (${(N / loadSeconds).toFixed(0)} docs/s, the indexer's _mget + _bulk per ${BATCH.toLocaleString()}, one batch at a time; ${openSearch.about})`
    : `\rloaded ${N.toLocaleString()} items in ${loadSeconds.toFixed(0)} s (${(N / loadSeconds).toFixed(0)} items/s, indexes maintained)`,
)

// 2. The services, each in its own process.
const searchProcess = await startServiceProcess(
  join(ROOT, 'services/search/src/main.ts'),
  {
    DATABASE_URL: searchUrl,
    ...BENCH_KAFKA_ENV,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    SEARCH_STATEMENT_TIMEOUT_MS: STATEMENT_TIMEOUT_MS,
    // As many contains/pattern searches of the tenant at once as the bench keeps in flight: it
    // measures the engine, not the per-tenant cap (which answers the rest RESOURCE_EXHAUSTED at once;
    // runs before 2026-12-06 counted those as timeouts).
    SEARCH_EXPENSIVE_PER_TENANT: '4',
    ...openSearch?.serviceEnv,
    ...tlsEnv('search'),
  },
  {
    readyMessage: 'search ready',
    timeoutMs: 60_000,
    // BENCH_SEARCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=…" profiles the service, say.
    nodeArgs: (process.env.BENCH_SEARCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  },
)
const searchPort = logged<number>(searchProcess.lines, 'port')
const metricsPort = logged<number>(searchProcess.lines, 'metricsPort')
const tls = callerTls()
const client = createUnaryClient(loadSearch().grpc.search.v1.SearchService.service, {
  address: `localhost:${searchPort}`,
  tls,
  defaultTimeoutMs: 10_000,
})
const metadata = writePrincipal(new Metadata(), { tenant: 'bench', subject: 'bench', scopes: [] })

// 3. Queries: the same requests through gRPC and as direct SQL (or the engine's body sent to OpenSearch).
const rand = mulberry32(7)
const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T
const day = (d: Date) => ({ seconds: String(Math.floor(d.getTime() / 1000)), nanos: 0 })
const kinds: Record<string, () => search.SearchRequest> = {
  q: () => ({ q: `${pick(VOCABULARY)} ${pick(VOCABULARY)}` }),
  contains: () => ({ contains: pick(VOCABULARY).slice(1, 5) }),
  pattern: () => ({ pattern: `^${pick(VOCABULARY).slice(0, 3)}[a-zé]* [a-z]+ [0-9]{3}$` }),
  'date window': () => {
    const from = new Date(Date.UTC(2015 + Math.floor(rand() * 10), Math.floor(rand() * 12), 1))
    return { published_after: day(from), published_before: day(new Date(from.getTime() + 30 * 86_400_000)) }
  },
  'tags+price': () => ({
    tags: [pick(TAG_LIST)],
    min_price_minor: '1000',
    max_price_minor: '20000',
    currency: 'EUR',
    sort: 'SORT_ORDER_PRICE_ASC',
  }),
}
let deepCursor = ''
for (let page = 0; page < 50; page++)
  deepCursor = (await client.call('Search', { limit: 20, cursor: deepCursor }, { metadata })).next_cursor
kinds['deep cursor page (51st)'] = () => ({ limit: 20, cursor: deepCursor })

async function measure(
  run: (req: search.SearchRequest) => Promise<unknown>,
  requests: readonly search.SearchRequest[],
  inFlight = IN_FLIGHT,
) {
  const latencies: number[] = []
  let failed = 0
  let pastTimeout = 0
  let next = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests.length) {
        const req = requests[next++] as search.SearchRequest
        const t0 = performance.now()
        try {
          await run(req)
          latencies.push(performance.now() - t0)
        } catch (err) {
          // A query past the statement timeout is an answer too (a 400): count it, keep measuring.
          failed++
          if (/ran past \d+ ms|statement timeout|SRCH_ERR_QUERY_TOO_SLOW/i.test(String((err as Error).message))) pastTimeout++
        }
      }
    }),
  )
  latencies.sort((a, b) => a - b)
  const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1)
  const timeouts = failed > 0 ? ` (${pastTimeout} past the timeout, ${failed - pastTimeout} other failures)` : ''
  return {
    text: `p50 ${at(0.5).padStart(6)}  p95 ${at(0.95).padStart(6)}  p99 ${at(0.99).padStart(6)} ms${timeouts}`,
    figures: { p50Ms: Number(at(0.5)), p95Ms: Number(at(0.95)), p99Ms: Number(at(0.99)), pastTimeout, failed },
  }
}
const viaGrpc = (req: search.SearchRequest) => client.call('Search', req, { metadata })
const viaSql = async (req: search.SearchRequest) => {
  const query = checkRequest(req as Partial<search.SearchRequest__Output>)
  const sql = searchSql('bench', query)
  const c = await pool.connect()
  try {
    // The service's statements, in a transaction as it runs them (some settings are per transaction).
    await c.query('BEGIN')
    await pageAndSummary(c, sql, query)
    await c.query('COMMIT')
  } catch (err) {
    await c.query('ROLLBACK')
    throw err
  } finally {
    c.release()
  }
}
const rows: string[] = []
type Figures = Awaited<ReturnType<typeof measure>>['figures']
const queries: {
  name: string
  grpc: Figures
  sql?: Figures
  direct?: Figures
  oneAtATime?: { grpc: Figures; direct: Figures }
}[] = []
for (const [name, make] of Object.entries(kinds)) {
  // The same queries both ways (a p95 of 100 queries is their fifth slowest: two samples would
  // differ by which rare pairs of common words they drew), through gRPC first, so the direct run
  // is the one that finds the pages cached.
  const requests = Array.from({ length: QUERIES }, make)
  const directly = openSearch?.direct ?? viaSql
  // On OpenSearch each pass starts with an empty request cache (clearRequestCache says why).
  const pass = async (run: (req: search.SearchRequest) => Promise<unknown>, inFlight?: number) => {
    await openSearch?.clearRequestCache()
    return measure(run, requests, inFlight)
  }
  const [grpc, direct] = [await pass(viaGrpc), await pass(directly)]
  const directName = `direct ${openSearch ? 'OpenSearch' : 'SQL'}`
  rows.push(`  ${name.padEnd(24)} gRPC ${grpc.text}   | ${directName} ${direct.text}`)
  // Printed as it comes: a query kind measured is not lost to a later phase failing.
  console.log(rows.at(-1))
  let oneAtATime: { grpc: Figures; direct: Figures } | undefined
  if (ONE_AT_A_TIME) {
    const [lone, loneDirect] = [await pass(viaGrpc, 1), await pass(directly, 1)]
    rows.push(`  ${''.padEnd(24)} one at a time: gRPC ${lone.text}   | ${directName} ${loneDirect.text}`)
    console.log(rows.at(-1))
    oneAtATime = { grpc: lone.figures, direct: loneDirect.figures }
  }
  queries.push({
    name,
    grpc: grpc.figures,
    [openSearch ? 'direct' : 'sql']: direct.figures,
    ...(oneAtATime ? { oneAtATime } : {}),
  })
}

// 4. Freshness: steady writes through the catalog, its relay, Kafka and the indexer.
const catalogProcess = await startServiceProcess(
  join(ROOT, 'services/catalog/src/main.ts'),
  {
    DATABASE_URL: catalogUrl,
    ...BENCH_KAFKA_ENV,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    ...tlsEnv('catalog'),
  },
  { readyMessage: 'catalog ready', timeoutMs: 60_000 },
)
const catalog = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
  address: `localhost:${logged<number>(catalogProcess.lines, 'port')}`,
  tls,
  defaultTimeoutMs: 10_000,
})
const writeStart = performance.now()
const total = WRITE_RATE * WRITE_SECONDS
const pending: Promise<unknown>[] = []
// A write the catalog refuses (overloaded: UNAVAILABLE) is counted, not the end of the run.
let writeErrors = 0
for (let i = 0; i < total; i++) {
  const due = writeStart + (i * 1000) / WRITE_RATE
  const wait = due - performance.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  pending.push(
    catalog
      .call('UpsertItem', { source: 'bench', external_id: `w${i % 1000}`, fields: { title: `Fresh item ${i}` } }, { metadata })
      .catch(() => {
        writeErrors++
      }),
  )
}
await Promise.all(pending)
const achieved = (total - writeErrors) / ((performance.now() - writeStart) / 1000)
await new Promise((r) => setTimeout(r, 3_000))
/** Quantiles (as bucket upper bounds) of a histogram on a /metrics page. */
const histogram = async (port: number | undefined, name: string) => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const buckets = [...text.matchAll(new RegExp(`${name}_bucket\\{le="([^"]+)"[^}]*\\} (\\d+)`, 'g'))].map(
    (m) => [m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2])] as const,
  )
  const count = buckets.at(-1)?.[1] ?? 0
  return { count, quantile: (q: number) => buckets.find(([, c]) => c >= q * count)?.[0] ?? Number.NaN }
}
const { count, quantile } = await histogram(metricsPort, 'search_index_freshness_seconds')
// The first half of the way: from the catalog's write to the broker's ack of its event.
const published = await histogram(logged<number>(catalogProcess.lines, 'metricsPort'), 'outbox_publish_delay_seconds')
// And in the indexer: the time to apply one batch (the freshness of its last event waits on it).
const applied = await histogram(metricsPort, 'kafka_consumer_batch_seconds')

console.log(
  `\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
)
console.log(
  `index: ${N.toLocaleString()} items (5% another tenant)${openSearch ? ` in ${openSearch.about}` : ''}; ${QUERIES} queries per kind, ${IN_FLIGHT} in flight`,
)
for (const row of rows) console.log(row)
console.log(
  `freshness at ${achieved.toFixed(0)} writes/s for ${WRITE_SECONDS}s (${writeErrors} writes refused): ${count} events, p50 <= ${quantile(0.5)} s, p99 <= ${quantile(0.99)} s (histogram bucket bounds)`,
)
console.log(
  `  of which write -> broker ack (outbox relay): p50 <= ${published.quantile(0.5)} s, p99 <= ${published.quantile(0.99)} s; indexer batch apply: p50 <= ${applied.quantile(0.5)} s, p99 <= ${applied.quantile(0.99)} s (${applied.count} batches)`,
)
// Applied is not yet searchable there: a document is seen from the index's next refresh.
if (openSearch)
  console.log("  (OpenSearch: applied is written, searchable from the index's next refresh: every second while it is searched)")

await writeResult(openSearch ? 'search-opensearch' : 'search', {
  ...(openSearch ? { engine: 'opensearch', engineAbout: openSearch.about } : {}),
  load: {
    items: N,
    queriesPerKind: QUERIES,
    inFlight: IN_FLIGHT,
    ...(openSearch ? { docsPerSec: N / loadSeconds, shards: openSearch.settings.shards } : { itemsPerSec: N / loadSeconds }),
  },
  queries,
  freshness: {
    writesPerSec: achieved,
    writesRefused: writeErrors,
    events: count,
    p50AtMostS: quantile(0.5),
    p99AtMostS: quantile(0.99),
    publishedP50AtMostS: published.quantile(0.5),
    publishedP99AtMostS: published.quantile(0.99),
    indexerBatchP99AtMostS: applied.quantile(0.99),
  },
})

client.close()
catalog.close()
openSearch?.close()
await pool.end()
await Promise.all([searchProcess.stop(), catalogProcess.stop()])
await databases.drop()
