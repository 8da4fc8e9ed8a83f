import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { ensureDevIdentity, mintDevToken } from '@catalog/gateway/dev-identity'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import type { ServiceProcess } from '@catalog/kit/testing'
import { logged, startServiceProcess } from '@catalog/kit/testing'
import { loadCatalog } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import autocannon from 'autocannon'
import { newestProfileTop } from './cpu-profile.ts'
import { writeResult } from './load.ts'
import type { PacedResult } from './paced.ts'
import { paced } from './paced.ts'
import { withCpu } from './process-cpu.ts'
import { BENCH_KAFKA_ENV, benchDatabases, callerTls, operatorEnv, ROOT, tlsEnv } from './setup.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32)
const profiling = process.env.BENCH_PROFILE !== '0'
const profileDir = (name: string) => join(ROOT, '.data/bench/profiles', name)
/** Node flags for a process: the caller's, plus a CPU profile written to its own folder at exit. */
const nodeArgsFor = (name: string) => [
  ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(name)}`] : []),
]

const databases = await benchDatabases()
const url = await databases.create('bench_gateway')

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
    // Its outbox relay publishes the item events the caches are invalidated by.
    ...BENCH_KAFKA_ENV,
    CATALOG_INGEST_GROUP: `bench-ingest-${new URL(url).pathname.slice(1)}`,
  },
  { readyMessage: 'catalog ready', nodeArgs: nodeArgsFor('catalog') },
)
const catalogAddress = `localhost:${logged<number>(catalog.lines, 'port')}`

const identityDir = join(ROOT, '.data/bench/dev-identity')
await ensureDevIdentity(identityDir)
const gatewayEnv = {
  HOST: '127.0.0.1',
  PORT: '0',
  AUTH_JWKS_URL: join(identityDir, 'jwks.json'),
  AUTH_ISSUER: 'http://localhost:8080/dev-issuer',
  AUTH_AUDIENCE: 'catalog-api',
  CATALOG_ADDR: catalogAddress,
  RATE_LIMIT_TENANT_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
  ...tlsEnv('gateway'),
  ...operatorEnv(),
}
const gateway = await startServiceProcess(join(ROOT, 'gateway/src/main.ts'), gatewayEnv, {
  readyMessage: 'gateway ready',
  nodeArgs: nodeArgsFor('gateway'),
})
const gatewayPort = logged<number>(gateway.lines, 'port')
const stubbed = await startServiceProcess(join(ROOT, 'scripts/bench/gateway-stub.ts'), gatewayEnv, {
  readyMessage: 'gateway ready',
  nodeArgs: nodeArgsFor('gateway-stub'),
})
const stubbedPort = logged<number>(stubbed.lines, 'port')
const bare = await startServiceProcess(join(ROOT, 'scripts/bench/bare-fastify.ts'), {}, { readyMessage: 'bare fastify ready' })
const barePort = logged<number>(bare.lines, 'port')
/** A gateway with the item cache, once its invalidation stream (catalog.item.v1) is live. */
const cachedGateway = async (name: string, env: Record<string, string>) => {
  const proc = await startServiceProcess(
    join(ROOT, 'gateway/src/main.ts'),
    { ...gatewayEnv, ...BENCH_KAFKA_ENV, CACHE_ITEMS: 'true', METRICS_PORT: '0', ...env },
    { readyMessage: 'gateway ready', nodeArgs: nodeArgsFor(name) },
  )
  const port = logged<number>(proc.lines, 'port')
  for (const end = Date.now() + 60_000; ; ) {
    const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { checks: Record<string, string> }
    if (ready.checks.cache_invalidation === 'ok') break
    if (Date.now() > end) throw new Error(`${name}: the item cache's invalidation stream is not live`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { proc, port, ops: logged<number>(proc.lines, 'metricsPort') as number }
}
/** The item cache's outcomes so far, from a gateway's own counter. */
const outcomes = async (ops: number) => {
  const text = await (await fetch(`http://127.0.0.1:${ops}/metrics`)).text()
  const count = (outcome: string) =>
    Number(
      new RegExp(`^cache_requests_total\\{[^}]*cache="items"[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0,
    )
  return { hit: count('hit'), all: count('hit') + count('miss') + count('bypass') }
}
const warm = await cachedGateway('gateway-cached', { CACHE_ITEMS_MAX_ENTRIES: '20000' })
const cold = await cachedGateway('gateway-cache-misses', { CACHE_ITEMS_MAX_ENTRIES: '1' })

// A few items to read, made through the catalog directly.
const tls = callerTls()
const client = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
  address: catalogAddress,
  tls,
  defaultTimeoutMs: 5_000,
})
const metadata = writePrincipal(new Metadata(), { tenant: 'bench', subject: 'bench', scopes: [] })
const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000)
const ids: string[] = new Array(ITEMS)
for (let from = 0; from < ITEMS; from += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, ITEMS - from) }, async (_, k) => {
      const i = from + k
      const { item } = await client.call(
        'UpsertItem',
        {
          source: 'bench',
          external_id: `e${i}`,
          fields: { title: `Item ${i}`, tags: ['bench'], price: { amount_minor: '100', currency: 'EUR' } },
        },
        { metadata },
      )
      ids[i] = item?.id ?? ''
    }),
  )
}
client.close()
const token = await mintDevToken({ dir: identityDir, tenant: 'bench', scopes: ['items:read'], ttlSec: 3_600 })

const run = (title: string, opts: autocannon.Options) =>
  new Promise<autocannon.Result>((resolvePromise, reject) => {
    autocannon({ connections, duration: seconds, ...opts, title }, (err, result) => (err ? reject(err) : resolvePromise(result)))
  })
let n = 0
const itemRequests = {
  requests: [
    {
      setupRequest: (req: autocannon.Request) => ({ ...req, path: `/v1/items/${ids[n++ % ids.length]}` }),
    },
  ],
  headers: { authorization: `Bearer ${token}` },
}

/** A run against one process, with the CPU that process spent on it, in microseconds per request. */
const measured = async (title: string, server: ServiceProcess, opts: autocannon.Options) => {
  // A second of warm-up first, so the JIT and the verified-token cache are not what is measured.
  await run(`${title} (warm-up)`, { ...opts, duration: 1 })
  const { result, cpuSeconds } = await withCpu(server.child, () => run(title, opts))
  return { result, cpuUsPerRequest: Math.round((cpuSeconds * 1e6) / Math.max(1, result.requests.total)) }
}
const bareRun = await measured('bare fastify', bare, { url: `http://127.0.0.1:${barePort}/hello` })
const bareResult = bareRun.result
const stubRun = await measured('gateway, stub catalog', stubbed, {
  url: `http://127.0.0.1:${stubbedPort}`,
  ...itemRequests,
})
const peakRun = await measured('gateway', gateway, { url: `http://127.0.0.1:${gatewayPort}`, ...itemRequests })
const peak = peakRun.result
/** `rate` reads a second at an even pace, with the CPU `server` spent on each, in microseconds. */
const pacedRun = async (
  server: ServiceProcess,
  url: string,
  rate: number,
  request: (n: number) => { path: string; headers: Record<string, string> },
) => {
  const { result, cpuSeconds } = await withCpu(server.child, () => paced({ url, rate, seconds, connections, request }))
  return { result, cpuUsPerRequest: Math.round((cpuSeconds * 1e6) / Math.max(1, result.sent)) }
}
const itemRead = (n: number) => ({ path: `/v1/items/${ids[n % ids.length]}`, headers: itemRequests.headers })
const half = Math.max(1, Math.floor(peak.requests.average / 2))
// At an even pace, reads seldom arrive in the same turn of the event loop: most are a GetItem of their own.
/** Bare Fastify at `rate`, evenly paced: the latency this machine and generator give at that rate, the baseline of a paced run. */
const bareAt = (rate: number) => pacedRun(bare, `http://127.0.0.1:${barePort}`, rate, () => ({ path: '/hello', headers: {} }))
const bareAtHalf = await bareAt(half)
const atHalf = await pacedRun(gateway, `http://127.0.0.1:${gatewayPort}`, half, itemRead)

// The warm cache: every item read once, then reads over all of them, every tenth with no-cache.
for (let from = 0; from < ITEMS; from += 100) {
  await Promise.all(
    ids.slice(from, from + 100).map(async (id) => {
      const res = await fetch(`http://127.0.0.1:${warm.port}/v1/items/${id}`, { headers: itemRequests.headers })
      await res.arrayBuffer()
    }),
  )
}
let w = 0
/** Reads over every item; every `everyNth` of them says no-cache (so goes to the catalog), none when 0. */
const warmReads = (everyNth: number) => ({
  requests: [
    {
      setupRequest: (req: autocannon.Request) => {
        w += 1
        return {
          ...req,
          path: `/v1/items/${ids[w % ids.length]}`,
          headers: { ...req.headers, ...(everyNth && w % everyNth === 0 ? { 'cache-control': 'no-cache' } : {}) },
        }
      },
    },
  ],
  headers: itemRequests.headers,
})
const warmRequests = warmReads(10)
// What a hit costs alone: every read answered from the cache.
const hitRun = await measured('gateway, every read a cache hit', warm.proc, {
  url: `http://127.0.0.1:${warm.port}`,
  ...warmReads(0),
})
const before = await outcomes(warm.ops)
const warmRun = await measured('gateway, warm cache', warm.proc, { url: `http://127.0.0.1:${warm.port}`, ...warmRequests })
const after = await outcomes(warm.ops)
const warmHits = (after.hit - before.hit) / Math.max(1, after.all - before.all)
const warmHalf = Math.max(1, Math.floor(warmRun.result.requests.average / 2))
const bareAtWarmHalf = await bareAt(warmHalf)
/** Paced reads of the warm cache; every `everyNth` says no-cache, none when 0. */
const warmPaced = (everyNth: number) =>
  pacedRun(warm.proc, `http://127.0.0.1:${warm.port}`, warmHalf, (k) => ({
    path: `/v1/items/${ids[k % ids.length]}`,
    headers: { ...itemRequests.headers, ...(everyNth && k % everyNth === 0 ? { 'cache-control': 'no-cache' } : {}) },
  }))
const warmAtHalf = await warmPaced(10)
// The same pace with every read a hit: what the tenth that goes to the catalog adds to the tail.
const hitsAtHalf = await warmPaced(0)
// Misses against no cache, in the order A B B A.
const peakBefore = await measured('gateway', gateway, { url: `http://127.0.0.1:${gatewayPort}`, ...itemRequests })
const missRuns = [
  await measured('gateway, every read a cache miss', cold.proc, { url: `http://127.0.0.1:${cold.port}`, ...itemRequests }),
  await measured('gateway, every read a cache miss', cold.proc, { url: `http://127.0.0.1:${cold.port}`, ...itemRequests }),
]
const peakAgain = await measured('gateway', gateway, { url: `http://127.0.0.1:${gatewayPort}`, ...itemRequests })
const missRun = missRuns[0] as (typeof missRuns)[number]
const perSecond = (runs: { result: autocannon.Result }[]) =>
  runs.reduce((sum, r) => sum + r.result.requests.average, 0) / runs.length
const cpuPer = (runs: { cpuUsPerRequest: number }[]) =>
  Math.round(runs.reduce((sum, r) => sum + r.cpuUsPerRequest, 0) / runs.length)
const missRatio = perSecond(missRuns) / perSecond([peakBefore, peakAgain])

// Staleness: a write through the gateway without a cache (A), then reads through the warm one (B),
// which holds the item, every POLL_MS until it answers the write's version.
const WRITES_PER_SECOND = 200
const POLL_MS = 10
const writes = WRITES_PER_SECOND * Math.min(seconds, 10)
const writeToken = await mintDevToken({ dir: identityDir, tenant: 'bench', scopes: ['items:read', 'items:write'], ttlSec: 3_600 })
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const staleness: number[] = []
const staleWrites: Promise<void>[] = []
const startedWriting = performance.now()
for (let k = 0; k < writes; k++) {
  const wait = startedWriting + (k * 1000) / WRITES_PER_SECOND - performance.now()
  if (wait > 0) await pause(wait)
  const id = ids[k % ids.length]
  staleWrites.push(
    (async () => {
      const res = await fetch(`http://127.0.0.1:${gatewayPort}/v1/items/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ title: `Item ${k}, changed` }),
      })
      const { version } = (await res.json()) as { version: number }
      const answered = performance.now()
      for (;;) {
        const read = await fetch(`http://127.0.0.1:${warm.port}/v1/items/${id}`, { headers: itemRequests.headers })
        await read.arrayBuffer()
        if (read.headers.get('etag') === `"${version}"`) break
        await pause(POLL_MS)
      }
      staleness.push(performance.now() - answered)
    })(),
  )
}
await Promise.all(staleWrites)
staleness.sort((x, y) => x - y)
const stalePercentile = (p: number) =>
  Math.round(staleness[Math.min(staleness.length - 1, Math.floor(p * staleness.length))] ?? 0)

const line = (name: string, r: autocannon.Result) =>
  `  ${name.padEnd(44)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}   errors ${r.errors}`
console.log(
  `\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
)
console.log(
  `load: ${connections} connections, ${seconds}s per run; gateway, catalog, PostgreSQL and the load generator share the machine`,
)
const cpu = (us: number) => `${us.toFixed(0)} µs CPU/request`
console.log(`${line('bare Fastify GET /hello', bareResult)}   ${cpu(bareRun.cpuUsPerRequest)}`)
console.log(`${line('gateway pipeline, stub catalog', stubRun.result)}   ${cpu(stubRun.cpuUsPerRequest)}`)
console.log(
  `  ratio (gateway pipeline vs bare Fastify): ${(stubRun.result.requests.average / bareResult.requests.average).toFixed(2)}`,
)
console.log(`${line('gateway GET /v1/items/{id} (JWT+gRPC+mTLS+PG)', peak)}   ${cpu(peakRun.cpuUsPerRequest)} (gateway process)`)
console.log(`  ratio (gateway vs bare Fastify): ${(peak.requests.average / bareResult.requests.average).toFixed(2)}`)
const pacedLine = (name: string, r: { result: PacedResult; cpuUsPerRequest: number }) =>
  `  ${name.padEnd(44)} ${String(r.result.rate).padStart(7)} req/s (answered ${r.result.achieved}/s)   p50 ${r.result.latency.p50} ms   p90 ${r.result.latency.p90} ms   p99 ${r.result.latency.p99} ms   max ${r.result.latency.max} ms   errors ${r.result.errors}   ${cpu(r.cpuUsPerRequest)}   generator late p99 ${r.result.lag.p99} ms`
if (profiling)
  console.log('  (the gateways below run under --cpu-prof, which stops them each millisecond: BENCH_PROFILE=0 for latency)')
console.log(pacedLine('bare Fastify at that rate, evenly paced', bareAtHalf))
console.log(pacedLine('gateway at half its peak, evenly paced', atHalf))
console.log(
  `${line(`gateway, warm cache (${(warmHits * 100).toFixed(0)}% hits, ${ITEMS} items)`, warmRun.result)}   ${cpu(warmRun.cpuUsPerRequest)}`,
)
console.log(`  ratio (warm cache vs bare Fastify): ${(warmRun.result.requests.average / bareResult.requests.average).toFixed(2)}`)
console.log(`${line('gateway, every read a cache hit', hitRun.result)}   ${cpu(hitRun.cpuUsPerRequest)}`)
console.log(`  ratio (all hits vs bare Fastify): ${(hitRun.result.requests.average / bareResult.requests.average).toFixed(2)}`)
console.log(pacedLine('bare Fastify at that rate, evenly paced', bareAtWarmHalf))
console.log(pacedLine('gateway, warm cache, at half its peak, paced', warmAtHalf))
console.log(pacedLine('gateway, same pace, every read a hit', hitsAtHalf))
console.log(`${line('gateway, no cache', peakBefore.result)}   ${cpu(peakBefore.cpuUsPerRequest)}`)
for (const r of missRuns) console.log(`${line('gateway, every read a cache miss', r.result)}   ${cpu(r.cpuUsPerRequest)}`)
console.log(`${line('gateway, no cache, again', peakAgain.result)}   ${cpu(peakAgain.cpuUsPerRequest)}`)
console.log(
  `  ratio (100% misses vs no cache, runs A B B A): ${missRatio.toFixed(2)}   CPU/request ${cpuPer(missRuns)} vs ${cpuPer([peakBefore, peakAgain])} µs`,
)
console.log(
  `  staleness, a write through one gateway to a fresh read through another (${writes} writes at ${WRITES_PER_SECOND}/s, read every ${POLL_MS} ms): p50 ${stalePercentile(0.5)} ms   p99 ${stalePercentile(0.99)} ms   max ${stalePercentile(1)} ms`,
)
/** A run's figures; `cpuUsPerOp` names the measured process, as the catalog bench's do. */
const figures = (name: string, r: autocannon.Result, cpuUsPerOp?: Record<string, number>) => ({
  name,
  ...(cpuUsPerOp ? { cpuUsPerOp } : {}),
  opsPerSec: r.requests.average,
  errors: r.errors + r.non2xx,
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  percentilesMs: {
    p50: r.latency.p50,
    p75: r.latency.p75,
    p90: r.latency.p90,
    p97_5: r.latency.p97_5,
    p99: r.latency.p99,
    max: r.latency.max,
  },
})
const pacedFigures = (name: string, r: { result: PacedResult; cpuUsPerRequest: number }, process = 'gateway') => ({
  name,
  cpuUsPerOp: { [process]: r.cpuUsPerRequest },
  opsPerSec: r.result.achieved,
  errors: r.result.errors,
  p50Ms: r.result.latency.p50,
  p99Ms: r.result.latency.p99,
  percentilesMs: r.result.latency,
  generatorLateMs: r.result.lag,
})
// Each profile is written when its process exits.
await Promise.all([gateway.stop(), stubbed.stop(), bare.stop(), warm.proc.stop(), cold.proc.stop()])
await catalog.stop()
const profiles: Record<string, unknown> = {}
if (profiling) {
  for (const [name, label] of [
    ['gateway', 'gateway (GET /v1/items/{id}, peak and half load)'],
    ['catalog', 'catalog (behind the gateway)'],
    ['gateway-stub', 'gateway pipeline, stub catalog'],
    ['gateway-cached', 'gateway, warm item cache'],
    ['gateway-cache-misses', 'gateway, every read a cache miss'],
  ] as const) {
    const top = await newestProfileTop(profileDir(name))
    if (top) profiles[label] = top
  }
  for (const [label, frames] of Object.entries(profiles)) {
    console.log(`  top frames, ${label}:`)
    for (const f of frames as { frame: string; selfPercent: number }[])
      console.log(`    ${f.selfPercent.toFixed(1).padStart(5)} %  ${f.frame}`)
  }
}

await writeResult('gateway', {
  load: { connections, seconds },
  comparisons: [
    {
      name: 'GET /v1/items/{id} vs bare Fastify',
      subject: figures('gateway GET /v1/items/{id}', peak, { gateway: peakRun.cpuUsPerRequest }),
      baseline: figures('bare Fastify GET /hello', bareResult, { 'bare fastify': bareRun.cpuUsPerRequest }),
      ratio: peak.requests.average / bareResult.requests.average,
    },
    {
      name: 'gateway pipeline (stub catalog) GET /v1/items/{id} vs bare Fastify',
      subject: figures('gateway pipeline GET /v1/items/{id}, stub catalog', stubRun.result, {
        gateway: stubRun.cpuUsPerRequest,
      }),
      baseline: figures('bare Fastify GET /hello', bareResult, { 'bare fastify': bareRun.cpuUsPerRequest }),
      ratio: stubRun.result.requests.average / bareResult.requests.average,
    },
    {
      name: `GET /v1/items/{id}, warm item cache (${(warmHits * 100).toFixed(0)}% hits over ${ITEMS} items) vs bare Fastify`,
      subject: figures('gateway GET /v1/items/{id}, warm cache', warmRun.result, { gateway: warmRun.cpuUsPerRequest }),
      baseline: figures('bare Fastify GET /hello', bareResult, { 'bare fastify': bareRun.cpuUsPerRequest }),
      ratio: warmRun.result.requests.average / bareResult.requests.average,
    },
    {
      name: 'GET /v1/items/{id}, every read a cache hit vs bare Fastify',
      subject: figures('gateway GET /v1/items/{id}, 100% hits', hitRun.result, { gateway: hitRun.cpuUsPerRequest }),
      baseline: figures('bare Fastify GET /hello', bareResult, { 'bare fastify': bareRun.cpuUsPerRequest }),
      ratio: hitRun.result.requests.average / bareResult.requests.average,
    },
    {
      name: 'GET /v1/items/{id}, every read a cache miss vs no cache (runs A B B A, means)',
      subject: {
        // Percentiles of the first run of each side, rates and CPU the means of both.
        ...figures('gateway GET /v1/items/{id}, 100% misses', missRun.result, { gateway: cpuPer(missRuns) }),
        opsPerSec: perSecond(missRuns),
      },
      baseline: {
        ...figures('gateway GET /v1/items/{id}, no cache', peakBefore.result, { gateway: cpuPer([peakBefore, peakAgain]) }),
        opsPerSec: perSecond([peakBefore, peakAgain]),
      },
      ratio: missRatio,
    },
  ],
  atHalfPeak: pacedFigures(`gateway at ${half} req/s, evenly paced`, atHalf),
  bareAtHalfPeak: pacedFigures(`bare Fastify at ${half} req/s, evenly paced`, bareAtHalf, 'bare fastify'),
  cacheAtHalfPeak: pacedFigures(`gateway, warm cache, at ${warmHalf} req/s, evenly paced`, warmAtHalf),
  cacheHitsAtHalfPeak: pacedFigures(`gateway, warm cache, every read a hit, at ${warmHalf} req/s, evenly paced`, hitsAtHalf),
  bareAtCacheHalfPeak: pacedFigures(`bare Fastify at ${warmHalf} req/s, evenly paced`, bareAtWarmHalf, 'bare fastify'),
  staleness: {
    name: 'write through one gateway to a fresh read through another',
    writes,
    writesPerSecond: WRITES_PER_SECOND,
    pollMs: POLL_MS,
    p50Ms: stalePercentile(0.5),
    p99Ms: stalePercentile(0.99),
    maxMs: stalePercentile(1),
  },
  ...(profiling ? { profiles } : {}),
})

await databases.drop()
