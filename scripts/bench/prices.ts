// Price history at the scale of millions of prices (BENCH_PRICE_ROWS, 10,000,000 over
// BENCH_PRICE_ITEMS, 500,000, spread over two years): a year's range of one item, its monthly
// summary and the tenant's "drops of at least 10 % in the last 7 days", each through the gateway
// (JWT, gRPC over mTLS, the catalog) beside the catalog's own statements run directly on the same
// database, and the history's size on disk per million rows.
//
//   bash scripts/bench/run.sh prices
//   BENCH_PRICE_ROWS=1000000 BENCH_PRICE_ITEMS=50000 bash scripts/bench/run.sh prices   (a quick run)
import { join } from 'node:path'
import {
  dropPricePartitions,
  ensurePricePartitions,
  listChanges,
  listPricesInWindow,
  pricePartitions,
  summarizePrices,
} from '@catalog/catalog-service/testing'
import { ensureDevIdentity, mintDevToken } from '@catalog/gateway/dev-identity'
import { logged, startServiceProcess } from '@catalog/kit/testing'
import pg from 'pg'
import { Pool as HttpPool } from 'undici'
import { load, machine, writeResult } from './load.ts'
import { benchDatabases, operatorEnv, ROOT, tlsEnv } from './setup.ts'

const ROWS = Number(process.env.BENCH_PRICE_ROWS ?? 10_000_000)
const ITEMS = Number(process.env.BENCH_PRICE_ITEMS ?? 500_000)
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200)
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 4)
const TENANT = 'bench'
const DAY = 86_400_000

const databases = await benchDatabases()
const url = await databases.create('bench_prices')
// The catalog migrates its database as it starts.
const catalog = await startServiceProcess(
  join(ROOT, 'services/catalog/src/main.ts'),
  {
    DATABASE_URL: url,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    ...tlsEnv('catalog'),
    ...operatorEnv(),
    // No KAFKA_BROKERS: nothing is written through it here, only read.
  },
  { readyMessage: 'catalog ready', timeoutMs: 60_000 },
)

// Items 1..ITEMS, each with 1 to 39 changes (20 on average), evenly over the last two years from
// a phase of its own (so every week holds its share of changes, the last one's included), prices
// pseudo-random between 10.00 and 100.00 EUR; the item holds its last.
const db = new pg.Pool({ connectionString: url, max: 8 })
// The catalog makes the months from now on; two years of history need their months too.
await ensurePricePartitions(db, new Date(Date.now() - 731 * DAY), new Date())
const loadStart = performance.now()
const changes = (i: string) => `(1 + (${i}::bigint * 7919) % 39)::int`
const amount = (i: string, v: string) => `(1000 + ((${i}::bigint * 7919 + ${v}::bigint * 104729) % 9001))`
await db.query(`
  INSERT INTO items (id, tenant, source, external_id, title, version, price_amount_minor, price_currency)
  SELECT md5('bench-item-' || i)::uuid, '${TENANT}', 'bench', 'e' || i, 'Item ' || i, ${changes('i')},
         ${amount('i', changes('i'))}, 'EUR'
    FROM generate_series(1, ${ITEMS}) AS i`)
const itemsSeconds = (performance.now() - loadStart) / 1000
// Rows in item order, as a catalog's history grows item by item; the share of ROWS each item gets.
const scale = ROWS / (ITEMS * 20)
const historyStart = performance.now()
await db.query(`
  INSERT INTO price_history (item_id, item_version, tenant, amount_minor, currency, changed_at, old_amount_minor, old_currency)
  SELECT md5('bench-item-' || i)::uuid, v, '${TENANT}', ${amount('i', 'v')}, 'EUR',
         now() - interval '730 days' + (v - 1 + ((i::bigint * 31) % 100) / 100.0) * (interval '730 days' / k),
         CASE WHEN v > 1 THEN ${amount('i', 'v - 1')} END, CASE WHEN v > 1 THEN 'EUR' END
    FROM generate_series(1, ${ITEMS}) AS i,
         LATERAL (SELECT greatest(1, round(${changes('i')} * ${scale}))::int AS k) AS n,
         LATERAL generate_series(1, n.k) AS v`)
const historySeconds = (performance.now() - historyStart) / 1000
// Items whose history came out shorter or longer than their version: the version follows the history.
await db.query(`UPDATE items i SET version = h.v, price_amount_minor = h.amount
  FROM (SELECT DISTINCT ON (item_id) item_id, item_version AS v, amount_minor AS amount
          FROM price_history ORDER BY item_id, item_version DESC) h
 WHERE h.item_id = i.id AND i.version <> h.v`)
await db.query('VACUUM (ANALYZE) items')
await db.query('VACUUM (ANALYZE) price_history')
const { rows: sized } = await db.query<{ rows: string; heap: string; indexes: string; total: string }>(
  // Summed over the months: a partitioned table's own relation holds nothing.
  `SELECT (SELECT count(*) FROM price_history)::text AS rows,
          sum(pg_relation_size(relid))::text AS heap, sum(pg_indexes_size(relid))::text AS indexes,
          sum(pg_total_relation_size(relid))::text AS total
     FROM pg_partition_tree('price_history') WHERE isleaf`,
)
const size = sized[0] ?? { rows: '0', heap: '0', indexes: '0', total: '0' }
const rows = Number(size.rows)
const perMillion = (bytes: string) => (Number(bytes) / (rows / 1e6) / 2 ** 20).toFixed(0)
console.log(
  `price history: ${rows.toLocaleString()} rows over ${ITEMS.toLocaleString()} items, loaded in ${(itemsSeconds + historySeconds).toFixed(0)} s`,
)
console.log(
  `  on disk per million rows: ${perMillion(size.total)} MiB (table ${perMillion(size.heap)} MiB, indexes ${perMillion(size.indexes)} MiB)`,
)

const identityDir = join(ROOT, '.data/bench/dev-identity')
await ensureDevIdentity(identityDir)
const gateway = await startServiceProcess(
  join(ROOT, 'gateway/src/main.ts'),
  {
    HOST: '127.0.0.1',
    PORT: '0',
    AUTH_JWKS_URL: join(identityDir, 'jwks.json'),
    AUTH_ISSUER: 'http://localhost:8080/dev-issuer',
    AUTH_AUDIENCE: 'catalog-api',
    CATALOG_ADDR: `localhost:${logged<number>(catalog.lines, 'port')}`,
    RATE_LIMIT_TENANT_PER_MINUTE: '100000000',
    RATE_LIMIT_IP_PER_MINUTE: '100000000',
    ...tlsEnv('gateway'),
    ...operatorEnv(),
  },
  { readyMessage: 'gateway ready', timeoutMs: 60_000 },
)
const token = await mintDevToken({ dir: identityDir, tenant: TENANT, scopes: ['items:read'], ttlSec: 3_600 })
const http = new HttpPool(`http://127.0.0.1:${logged<number>(gateway.lines, 'port')}`, { connections: IN_FLIGHT })
const get = async (path: string) => {
  const res = await http.request({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } })
  const body = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${body.slice(0, 200)}`)
  return body
}

// The same items for every kind, drawn from the ones with the longest histories.
const { rows: picked } = await db.query<{ id: string }>(
  `SELECT id FROM items WHERE version >= 30 ORDER BY md5(id::text) LIMIT ${QUERIES}`,
)
const ids = picked.map((r) => r.id)
const now = new Date()
const yearAgo = new Date(now.getTime() - 365 * DAY)
const weekAgo = new Date(now.getTime() - 7 * DAY)

/** `n` calls of `run`, IN_FLIGHT at a time (load.ts's closed loop), in milliseconds to a tenth; a failed call stops the bench. */
async function measure(run: (i: number) => Promise<unknown>, n: number) {
  const r = await load('prices', { concurrency: IN_FLIGHT, seconds: 3_600, maxOps: n }, run)
  if (r.errors > 0) throw new Error(`${r.errors} of ${n} calls failed`)
  const tenth = (ms: number) => Number(ms.toFixed(1))
  return { p50Ms: tenth(r.p50Ms), p95Ms: tenth(r.p95Ms), p99Ms: tenth(r.p99Ms) }
}

const iso = (d: Date) => encodeURIComponent(d.toISOString())
const kinds: { name: string; gateway: (i: number) => Promise<unknown>; direct: (i: number) => Promise<unknown> }[] = [
  {
    name: "one item's year of prices",
    gateway: (i) => get(`/v1/items/${ids[i]}/prices?from=${iso(yearAgo)}&to=${iso(now)}&order=asc&limit=100`),
    direct: (i) =>
      listPricesInWindow(
        db,
        TENANT,
        ids[i] ?? '',
        { from: yearAgo.toISOString(), to: now.toISOString(), order: 'asc', after: undefined },
        101,
      ),
  },
  {
    name: 'its monthly summary',
    gateway: (i) => get(`/v1/items/${ids[i]}/prices/summary?from=${iso(yearAgo)}&to=${iso(now)}&interval=month`),
    direct: (i) => summarizePrices(db, TENANT, ids[i] ?? '', yearAgo, now, 'month'),
  },
  {
    name: 'drops of 10 % or more, last 7 days',
    gateway: () => get(`/v1/prices/changes?since=${iso(weekAgo)}&until=${iso(now)}&direction=down&min_change_percent=10`),
    direct: () =>
      listChanges(db, TENANT, { since: weekAgo, until: now, direction: 1, minPercent: 10, currency: null, after: undefined }, 51),
  },
]

const sample = JSON.parse(await get(`/v1/items/${ids[0]}/prices?from=${iso(yearAgo)}&to=${iso(now)}&order=asc&limit=100`)) as {
  items: unknown[]
}
const drops = JSON.parse(
  await get(`/v1/prices/changes?since=${iso(weekAgo)}&until=${iso(now)}&direction=down&min_change_percent=10`),
) as { items: unknown[] }
console.log(
  `  a picked item's year: ${sample.items.length} prices; the feed's first page: ${drops.items.length} drops\n${machine()}; ${QUERIES} queries per kind, ${IN_FLIGHT} in flight`,
)
const results: { name: string; gateway: object; direct: object }[] = []
for (const kind of kinds) {
  // Through the gateway first: the direct run finds the same pages cached.
  const viaGateway = await measure(kind.gateway, QUERIES)
  const direct = await measure(kind.direct, QUERIES)
  results.push({ name: kind.name, gateway: viaGateway, direct })
  console.log(
    `  ${kind.name.padEnd(36)} gateway p50 ${String(viaGateway.p50Ms).padStart(6)}  p95 ${String(viaGateway.p95Ms).padStart(6)} ms` +
      `   | direct SQL p50 ${String(direct.p50Ms).padStart(6)}  p95 ${String(direct.p95Ms).padStart(6)} ms` +
      `   | ratio of p95s ${(viaGateway.p95Ms / Math.max(0.1, direct.p95Ms)).toFixed(1)}`,
  )
}

// The floor of any read through the gateway: one item by id (JWT, gRPC over mTLS, one primary-key
// probe), the same items and concurrency; what a price read costs past it is the price query's.
const floor = await measure((i) => get(`/v1/items/${ids[i]}`), QUERIES)
console.log(
  `  the gateway's floor, GET /v1/items/{id}     gateway p50 ${String(floor.p50Ms).padStart(6)}  p95 ${String(floor.p95Ms).padStart(6)} ms`,
)

// A retention pass: the history past a year dropped, a whole month at a time.
const partitionsBefore = (await pricePartitions(db)).length
const retentionStart = performance.now()
const dropped = await dropPricePartitions(db, new Date(Date.now() - 365 * DAY))
const retentionMs = performance.now() - retentionStart
const { rows: left } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM price_history')
const retention = {
  ms: Math.round(retentionMs),
  partitionsDropped: dropped.length,
  partitionsBefore,
  rowsDropped: rows - Number(left[0]?.n ?? 0),
}
console.log(
  `  a retention pass to one year: ${retention.partitionsDropped} of ${partitionsBefore} months (${retention.rowsDropped.toLocaleString()} rows) dropped in ${retention.ms} ms`,
)

await writeResult('prices', {
  load: { rows, items: ITEMS, seconds: itemsSeconds + historySeconds, queriesPerKind: QUERIES, inFlight: IN_FLIGHT },
  storage: { bytesPerMillionRows: Number(size.total) / (rows / 1e6), heap: Number(size.heap), indexes: Number(size.indexes) },
  queries: results,
  gatewayFloor: floor,
  retention,
})
await http.close()
await db.end()
await Promise.all([gateway.stop(), catalog.stop()])
await databases.drop()
