import { readFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { ensureDevIdentity, mintDevToken } from '@catalog/gateway/dev-identity'
import type { ServiceProcess } from '@catalog/kit/testing'
import { logged, startServiceProcess } from '@catalog/kit/testing'
import autocannon from 'autocannon'
import { writeResult } from './load.ts'
import { BENCH_KAFKA_ENV, benchDatabases, INGESTION_NODE_OPTIONS, ROOT, tlsEnv } from './setup.ts'

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600)
const WINDOW = Number(process.env.SOAK_WINDOW_SECONDS ?? 30)
const ITEMS = 2_000
const ops = { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', HEALTH_PORT: '0', METRICS_PORT: '0', ...BENCH_KAFKA_ENV }

const databases = await benchDatabases()
const database = databases.create
const start = (name: string, env: Record<string, string>) =>
  startServiceProcess(join(ROOT, name === 'gateway' ? 'gateway/src/main.ts' : `services/${name}/src/main.ts`), env, {
    readyMessage: `${name} ready`,
    timeoutMs: 120_000,
  })
const address = (p: ServiceProcess) => `localhost:${logged<number>(p.lines, 'port')}`

const procs: Record<string, ServiceProcess> = {}
procs.catalog = await start('catalog', { ...ops, DATABASE_URL: await database('catalog'), ...tlsEnv('catalog') })
procs.search = await start('search', { ...ops, DATABASE_URL: await database('search'), ...tlsEnv('search') })
procs.ingestion = await start('ingestion', {
  ...ops,
  DATABASE_URL: await database('ingestion'),
  INGEST_FILE_ROOT: join(ROOT, '.data/bench'),
  NODE_OPTIONS: INGESTION_NODE_OPTIONS,
  ...tlsEnv('ingestion'),
})
const identityDir = join(ROOT, '.data/bench/dev-identity')
await ensureDevIdentity(identityDir)
procs.gateway = await start('gateway', {
  HOST: '127.0.0.1',
  PORT: '0',
  AUTH_JWKS_URL: join(identityDir, 'jwks.json'),
  AUTH_ISSUER: 'http://localhost:8080/dev-issuer',
  AUTH_AUDIENCE: 'catalog-api',
  CATALOG_ADDR: address(procs.catalog),
  SEARCH_ADDR: address(procs.search),
  INGESTION_ADDR: address(procs.ingestion),
  RATE_LIMIT_TENANT_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
  ...tlsEnv('gateway'),
})
const base = `http://127.0.0.1:${logged<number>(procs.gateway.lines, 'port')}`
const token = await mintDevToken({
  dir: identityDir,
  tenant: 'soak',
  scopes: ['items:read', 'items:write', 'search:read', 'ingest:write'],
  ttlSec: SOAK_SECONDS + 3_600,
})
const auth = { authorization: `Bearer ${token}` }
const json = { ...auth, 'content-type': 'application/json' }

// Seed the items the reads and edits pick from.
const ids: string[] = []
for (let i = 0; i < ITEMS; i++) {
  const res = await fetch(`${base}/v1/items`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ source: 'soak', external_id: `seed-${i}`, title: `Soak lamp ${i}`, tags: ['soak', `t${i % 20}`] }),
  })
  ids.push(((await res.json()) as { id: string }).id)
}
console.log(`seeded ${ITEMS} items`)

type Route = { name: string; share: number; request: () => autocannon.Request }
let n = 0
const routes: Route[] = [
  { name: 'GET /v1/items/{id}', share: 0.6, request: () => ({ method: 'GET', path: `/v1/items/${ids[n++ % ids.length]}` }) },
  {
    name: 'GET /v1/search',
    share: 0.3,
    request: () => ({ method: 'GET', path: `/v1/search?q=lamp&tags=t${n++ % 20}&limit=20` }),
  },
  {
    name: 'PATCH /v1/items/{id}',
    share: 0.1,
    request: () => ({
      method: 'PATCH',
      path: `/v1/items/${ids[n++ % ids.length]}`,
      headers: { ...auth, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ description: `edited at ${Date.now()}` }),
    }),
  },
]

const load = (route: Route, rate: number | undefined, seconds: number) =>
  new Promise<autocannon.Result>((done, reject) => {
    autocannon(
      {
        url: base,
        connections: 8,
        duration: seconds,
        ...(rate ? { overallRate: Math.max(1, Math.round(rate)) } : {}),
        headers: auth,
        requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, ...route.request() }) }],
      },
      (err, result) => (err ? reject(err) : done(result)),
    )
  })

// The peak of the mixed load: every route at once, unthrottled, for 15 s.
const peaks = await Promise.all(routes.map((r) => load(r, undefined, 15)))
const peak = peaks.reduce((sum, r) => sum + r.requests.average, 0)
console.log(`peak of the mix: ${peak.toFixed(0)} requests/s; soaking at half: ${(peak / 2).toFixed(0)} requests/s`)

const rss = async (p: ServiceProcess) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${p.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const bulk = async (window: number) => {
  const lines = Array.from({ length: 5_000 }, (_, i) =>
    JSON.stringify({ external_id: `bulk-${window}-${i}`, title: `Bulk ${i}` }),
  )
  const res = await fetch(`${base}/v1/items:bulk?source=soak-bulk&name=w${window}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-ndjson' },
    body: `${lines.join('\n')}\n`,
  })
  await res.arrayBuffer()
  return res.status
}

interface Window {
  at: number
  routes: Record<string, { requests: number; errors: number; non2xx: number; p99: number }>
  bulk?: number
  rssMiB: Record<string, number>
}
const windows: Window[] = []
const started = Date.now()
for (let w = 0; (Date.now() - started) / 1000 < SOAK_SECONDS; w++) {
  const bulkStatus = w % Math.max(1, Math.round(60 / WINDOW)) === 0 ? bulk(w) : undefined
  const results = await Promise.all(routes.map((r) => load(r, (peak / 2) * r.share, WINDOW)))
  const window: Window = {
    at: Math.round((Date.now() - started) / 1000),
    routes: Object.fromEntries(
      routes.map((r, i) => {
        const res = results[i] as autocannon.Result
        return [
          r.name,
          { requests: res.requests.total, errors: res.errors + res.timeouts, non2xx: res.non2xx, p99: res.latency.p99 },
        ]
      }),
    ),
    ...(bulkStatus ? { bulk: await bulkStatus } : {}),
    rssMiB: Object.fromEntries(await Promise.all(Object.entries(procs).map(async ([k, p]) => [k, Math.round(await rss(p))]))),
  }
  windows.push(window)
  const cells = routes.map((r) => `${r.name} p99 ${window.routes[r.name]?.p99} ms`).join(', ')
  console.log(
    `${String(window.at).padStart(4)} s  ${cells}  RSS ${JSON.stringify(window.rssMiB)}${window.bulk ? ` bulk ${window.bulk}` : ''}`,
  )
}

const total = windows.reduce((s, w) => s + Object.values(w.routes).reduce((a, r) => a + r.requests, 0), 0)
const failed = windows.reduce((s, w) => s + Object.values(w.routes).reduce((a, r) => a + r.errors + r.non2xx, 0), 0)
// Warm-up: the first two windows (JIT, pools, caches filling). Growth after it, two ways: the
// last window against the third, and the least-squares line through every window from the third
// on (its rise over the run, in % of where it starts), which one late step or dip cannot sway.
const WARM = Math.min(2, windows.length - 1)
const warm = windows[WARM] as Window
const last = windows.at(-1) as Window
const percent = (x: number) => Math.round(x * 1000) / 10
const growth = Object.fromEntries(
  Object.keys(procs).map((k) => [k, percent(((last.rssMiB[k] ?? 0) - (warm.rssMiB[k] ?? 0)) / (warm.rssMiB[k] || 1))]),
)
const fittedGrowth = (k: string) => {
  // A window whose reading failed (0) is left out rather than fitted.
  const points = windows
    .slice(WARM)
    .map((w) => ({ x: w.at, y: w.rssMiB[k] ?? 0 }))
    .filter((p) => p.y > 0)
  if (points.length < 2) return 0
  const mean = (f: (p: { x: number; y: number }) => number) => points.reduce((s, p) => s + f(p), 0) / points.length
  const [mx, my] = [mean((p) => p.x), mean((p) => p.y)]
  const slope = mean((p) => (p.x - mx) * (p.y - my)) / mean((p) => (p.x - mx) ** 2)
  const [from, to] = [points[0]?.x ?? 0, points.at(-1)?.x ?? 0]
  return percent((slope * (to - from)) / (my + slope * (from - mx) || 1))
}
const trend = Object.fromEntries(Object.keys(procs).map((k) => [k, fittedGrowth(k)]))
const report = {
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  seconds: SOAK_SECONDS,
  peakRequestsPerSecond: Math.round(peak),
  soakRequestsPerSecond: Math.round(peak / 2),
  requests: total,
  errorRate: total ? failed / total : 0,
  rssGrowthPercentAfterWarmup: growth,
  rssTrendPercentAfterWarmup: trend,
  windows,
}
await writeResult('soak', report)
console.log(`\nmachine: ${report.machine}`)
console.log(
  `requests: ${total} at ${report.soakRequestsPerSecond}/s (half of the ${report.peakRequestsPerSecond}/s peak), error rate ${report.errorRate}`,
)
console.log(`RSS growth after warm-up (target < 10 %): last window ${JSON.stringify(growth)}`)
console.log(`                                      fitted line ${JSON.stringify(trend)}`)

await Promise.all(Object.values(procs).map((p) => p.stop()))
await databases.drop()
