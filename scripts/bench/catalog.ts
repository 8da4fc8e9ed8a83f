import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { logged, startServiceProcess } from '@catalog/kit/testing'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import pg from 'pg'
import type { LoadResult } from './load.ts'
import { load, printComparison, writeResult } from './load.ts'
import { cpuSeconds, postgresCpuSeconds } from './process-cpu.ts'
import { benchDatabases, callerTls, operatorEnv, ROOT, tlsEnv } from './setup.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32)
const itemCount = Number(process.env.BENCH_ITEMS ?? 20_000)
const poolMax = 16

const databases = await benchDatabases()
const url = await databases.create('bench_catalog')

const catalogProcess = await startServiceProcess(
  join(ROOT, 'services/catalog/src/main.ts'),
  {
    DATABASE_URL: url,
    DATABASE_POOL_MAX: String(poolMax),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    ...tlsEnv('catalog'),
    ...operatorEnv(),
  },
  { readyMessage: 'catalog ready', nodeArgs: (process.env.BENCH_CATALOG_NODE_ARGS ?? '').split(' ').filter(Boolean) },
)
const port = logged<number>(catalogProcess.lines, 'port') ?? 0

const tls = callerTls()
const client = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
  address: `localhost:${port}`,
  tls,
  defaultTimeoutMs: 10_000,
})
const metadata = writePrincipal(new Metadata(), { tenant: 'bench', subject: 'bench', scopes: [] })
const fields = (i: number, rev = 0): catalog.ItemFields => ({
  title: `Item ${i} rev ${rev}`,
  description: `A benchmark item, number ${i}, with a description of ordinary length for a catalog entry.`,
  tags: ['bench', `group-${i % 50}`],
  attributes: { fields: { color: { stringValue: 'red' }, size: { numberValue: i % 10 } } },
  price: { amount_minor: String(1000 + (i % 500)), currency: 'EUR' },
  published_at: { seconds: '1700000000', nanos: 0 },
})

console.log(`seeding ${itemCount} items through UpsertItem...`)
const ids: string[] = []
await load('seed', { concurrency, seconds: 600, maxOps: itemCount }, async (i) => {
  const res = await client.call('UpsertItem', { source: 'bench', external_id: `e${i}`, fields: fields(i) }, { metadata })
  ids[i] = res.item?.id ?? ''
})

const pool = new pg.Pool({ connectionString: url, max: poolMax })

// CPU per operation of each process: where the time of an operation goes, load or no load.
const pgData = process.env.BENCH_PG_DATA
const cpuNow = () => ({
  'load generator': ((usage) => (usage.user + usage.system) / 1e6)(process.cpuUsage()),
  catalog: cpuSeconds(catalogProcess.child.pid ?? 0),
  postgres: pgData ? postgresCpuSeconds(pgData) : Number.NaN,
})
type Cpu = ReturnType<typeof cpuNow>
const measured = async (
  name: string,
  op: (i: number) => Promise<unknown>,
): Promise<LoadResult & { cpuUsPerOp: Record<keyof Cpu, number> }> => {
  const before = cpuNow()
  const result = await load(name, { concurrency, seconds }, op)
  const after = cpuNow()
  const per = (k: keyof Cpu) => Math.round(((after[k] - before[k]) * 1e6) / Math.max(1, result.ops))
  return {
    ...result,
    cpuUsPerOp: { 'load generator': per('load generator'), catalog: per('catalog'), postgres: per('postgres') },
  }
}
const printCpu = (...results: { name: string; cpuUsPerOp: Record<string, number> }[]) => {
  for (const r of results)
    console.log(
      `  CPU per op, ${r.name}: ${Object.entries(r.cpuUsPerOp)
        .filter(([, us]) => us > 0)
        .map(([process, us]) => `${process} ${us} µs`)
        .join(', ')}`,
    )
}
const pick = (i: number) => ids[(i * 7919) % ids.length] as string

const getCatalog = await measured('catalog GetItem (gRPC+mTLS)', (i) => client.call('GetItem', { id: pick(i) }, { metadata }))
// The baselines run the statements at their best: prepared (named), as the catalog's are.
const getSql = await measured('direct SQL SELECT by id', (i) =>
  pool.query({
    name: 'get',
    text: 'SELECT * FROM items WHERE id = $1 AND tenant = $2 AND deleted_at IS NULL',
    values: [pick(i), 'bench'],
  }),
)
let rev = 1
const upsertCatalog = await measured('catalog UpsertItem (gRPC+mTLS)', (i) =>
  client.call(
    'UpsertItem',
    { source: 'bench', external_id: `e${i % itemCount}`, fields: fields(i % itemCount, rev++) },
    { metadata },
  ),
)
const upsertSql = await measured('direct SQL INSERT..ON CONFLICT', (i) => {
  const f = fields(i % itemCount, rev++)
  return pool.query({
    name: 'upsert',
    text: `INSERT INTO items (id, tenant, source, external_id, title, description, tags, attributes, price_amount_minor, price_currency, published_at)
     VALUES (gen_random_uuid(), 'bench', 'bench', $1, $2, $3, $4, $5, $6, 'EUR', now())
     ON CONFLICT (tenant, source, external_id) DO UPDATE
       SET title = excluded.title, version = items.version + 1, updated_at = now()`,
    values: [`e${i % itemCount}`, f.title, f.description, f.tags, JSON.stringify({ color: 'red' }), f.price?.amount_minor],
  })
})

console.log(
  `\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
)
console.log(`load: ${concurrency} in flight for ${seconds}s per run, ${itemCount} items, pool ${poolMax} connections each side`)
printComparison('GetItem', getCatalog, getSql)
printCpu(getCatalog, getSql)
printComparison('UpsertItem (each call changes the item: new version, outbox row, no price change)', upsertCatalog, upsertSql)
printCpu(upsertCatalog, upsertSql)
await writeResult('catalog', {
  load: { concurrency, seconds, items: itemCount },
  comparisons: [
    { name: 'GetItem', subject: getCatalog, baseline: getSql, ratio: getCatalog.opsPerSec / getSql.opsPerSec },
    { name: 'UpsertItem', subject: upsertCatalog, baseline: upsertSql, ratio: upsertCatalog.opsPerSec / upsertSql.opsPerSec },
  ],
})

client.close()
await pool.end()
await catalogProcess.stop()
await databases.drop()
