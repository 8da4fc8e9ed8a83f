// Gathers the figures every bench wrote (bench/out/<bench>.json) into bench/results.json and one
// self-contained HTML page (bench/report.html: no scripts, no external files): each subject beside
// the baseline measured in the same run, the gateway's latency percentiles, search per query
// kind on each engine (PostgreSQL, and OpenSearch when its run is there) and the engines side by
// side, and the soak's p99 and RSS over time.
//
//   node scripts/bench/report.ts           (bash scripts/bench/all.sh runs it after the benches)
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')
const OUT = join(ROOT, 'bench/out')
const BENCHES = [
  'catalog',
  'gateway',
  'search',
  'search-opensearch',
  'ingestion',
  'ingestion-opensearch',
  'prices',
  'soak',
] as const

// biome-ignore lint/suspicious/noExplicitAny: each bench's JSON has its own shape, read field by field below
type Json = Record<string, any>
const results: Record<string, Json> = {}
for (const name of BENCHES) {
  const file = join(OUT, `${name}.json`)
  if (existsSync(file)) results[name] = JSON.parse(readFileSync(file, 'utf8')) as Json
}
writeFileSync(
  join(ROOT, 'bench/results.json'),
  `${JSON.stringify({ generatedAt: new Date().toISOString(), results }, null, 2)}\n`,
)

const esc = (s: unknown) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)
const num = (n: unknown, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits }) : '–'
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b']

/** Horizontal bars, one group per label, one bar per series. */
function bars(title: string, unit: string, groups: { label: string; values: { name: string; value: number }[] }[]): string {
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.values.map((v) => v.value)))
  const rowH = 18
  const series = groups[0]?.values.length ?? 1
  const height = groups.length * (series * rowH + 12) + 30
  let y = 24
  const parts: string[] = [`<text x="0" y="14" font-weight="bold">${esc(title)} (${esc(unit)})</text>`]
  for (const g of groups) {
    parts.push(`<text x="0" y="${y + 12}">${esc(g.label)}</text>`)
    g.values.forEach((v, i) => {
      const w = (v.value / max) * 420
      parts.push(
        `<rect x="230" y="${y}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="${COLORS[i % COLORS.length]}"><title>${esc(v.name)}</title></rect>`,
        `<text x="${(235 + w).toFixed(1)}" y="${y + 11}" font-size="11">${esc(v.name)}: ${num(v.value, 1)}</text>`,
      )
      y += rowH
    })
    y += 12
  }
  return `<svg width="900" height="${height}" font-family="sans-serif" font-size="12">${parts.join('')}</svg>`
}

/** Lines over time: x is seconds, one polyline per series. */
function lines(title: string, unit: string, xs: number[], series: { name: string; ys: number[] }[]): string {
  const [w, h, left, top] = [700, 220, 50, 24]
  const maxX = Math.max(1, ...xs)
  const maxY = Math.max(1e-9, ...series.flatMap((s) => s.ys))
  const px = (x: number) => left + (x / maxX) * w
  const py = (y: number) => top + h - (y / maxY) * h
  const parts = [
    `<text x="0" y="14" font-weight="bold">${esc(title)} (${esc(unit)})</text>`,
    `<line x1="${left}" y1="${top + h}" x2="${left + w}" y2="${top + h}" stroke="#888"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + h}" stroke="#888"/>`,
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end" font-size="10">${num(maxY)}</text>`,
    `<text x="${left + w}" y="${top + h + 14}" text-anchor="end" font-size="10">${num(maxX)} s</text>`,
  ]
  series.forEach((s, i) => {
    const points = s.ys.map((y, j) => `${px(xs[j] ?? 0).toFixed(1)},${py(y).toFixed(1)}`).join(' ')
    parts.push(`<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${points}"/>`)
    parts.push(`<text x="${left + w + 8}" y="${top + 12 + i * 14}" fill="${COLORS[i % COLORS.length]}">${esc(s.name)}</text>`)
  })
  return `<svg width="900" height="${h + 50}" font-family="sans-serif" font-size="12">${parts.join('')}</svg>`
}

const table = (head: string[], rows: unknown[][]) =>
  `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`

const sections: string[] = []
for (const name of ['catalog', 'gateway'] as const) {
  const r = results[name]
  if (!r) continue
  const comparisons = r.comparisons as Json[]
  sections.push(
    `<h2>${name}</h2><p>${esc(JSON.stringify(r.load))}</p>`,
    table(
      ['operation', 'subject ops/s', 'p50 ms', 'p99 ms', 'baseline', 'baseline ops/s', 'baseline p99 ms', 'ratio'],
      comparisons.map((c) => [
        c.name,
        num(c.subject.opsPerSec),
        num(c.subject.p50Ms, 2),
        num(c.subject.p99Ms, 2),
        c.baseline.name,
        num(c.baseline.opsPerSec),
        num(c.baseline.p99Ms, 2),
        num(c.ratio, 2),
      ]),
    ),
    bars(
      `${name}: throughput`,
      'ops/s',
      comparisons.map((c) => ({
        label: c.name,
        values: [
          { name: c.subject.name, value: c.subject.opsPerSec },
          { name: c.baseline.name, value: c.baseline.opsPerSec },
        ],
      })),
    ),
  )
  const cpu = comparisons.flatMap((c) =>
    [c.subject, c.baseline].filter((x: Json) => x?.cpuUsPerOp).map((x: Json) => [x.name, x.cpuUsPerOp]),
  )
  if (cpu.length > 0) {
    const processes = [...new Set(cpu.flatMap(([, per]) => Object.keys(per)))]
    sections.push(
      `<h3>${name}: CPU per operation, by process (µs)</h3>`,
      table(
        ['run', ...processes],
        cpu.map(([run, per]) => [run, ...processes.map((p) => num(per[p]))]),
      ),
    )
  }
  if (r.profiles) {
    sections.push(
      `<h3>${name}: where each process spent its time (top frames by self time, --cpu-prof)</h3>`,
      ...Object.entries(r.profiles as Record<string, Json[]>).map(
        ([process, frames]) =>
          `<p><b>${esc(process)}</b></p>${table(
            ['frame', 'self %'],
            frames.map((f) => [f.frame, num(f.selfPercent, 1)]),
          )}`,
      ),
    )
  }
  if (name === 'gateway' && r.atHalfPeak?.percentilesMs) {
    const percentiles = (p: Json) =>
      Object.entries(p.percentilesMs as Record<string, number>).map(([k, v]) => ({ name: k, value: v }))
    sections.push(
      bars('gateway latency percentiles', 'ms', [
        { label: 'at peak', values: percentiles(comparisons[0]?.subject ?? {}) },
        { label: 'at half its peak, evenly paced', values: percentiles(r.atHalfPeak) },
        ...(r.cacheAtHalfPeak
          ? [{ label: 'warm item cache, at half its peak, paced', values: percentiles(r.cacheAtHalfPeak) }]
          : []),
      ]),
    )
  }
}
/** A search run's figures: the PostgreSQL run's direct baseline is its SQL, OpenSearch's the engine's body sent to the cluster. */
const SEARCH_RUNS = [
  { bench: 'search', engine: 'PostgreSQL', direct: 'direct SQL', loadRate: 'itemsPerSec', unit: 'items/s' },
  { bench: 'search-opensearch', engine: 'OpenSearch', direct: 'direct OpenSearch', loadRate: 'docsPerSec', unit: 'docs/s' },
] as const
for (const run of SEARCH_RUNS) {
  const r = results[run.bench]
  if (!r) continue
  const direct = (q: Json) => (q.direct ?? q.sql) as Json
  const loaded = r.load[run.loadRate] === undefined ? '' : `; loaded at ${num(r.load[run.loadRate])} ${run.unit}`
  sections.push(
    `<h2>search on ${run.engine}</h2><p>${r.engineAbout ? `${esc(r.engineAbout)}; ` : ''}${esc(JSON.stringify(r.load))}${loaded}; freshness at ${num(r.freshness.writesPerSec)} writes/s: p50 ≤ ${r.freshness.p50AtMostS} s, p99 ≤ ${r.freshness.p99AtMostS} s</p>`,
    table(
      [
        'query kind',
        'gRPC p50',
        'p95',
        'p99',
        'past timeout',
        `${run.direct} p50`,
        'p95',
        'p99',
        'one at a time: gRPC p50',
        'p95',
        `${run.direct} p50`,
        'p95',
      ],
      (r.queries as Json[]).map((q) => [
        q.name,
        q.grpc.p50Ms,
        q.grpc.p95Ms,
        q.grpc.p99Ms,
        q.grpc.pastTimeout,
        direct(q).p50Ms,
        direct(q).p95Ms,
        direct(q).p99Ms,
        q.oneAtATime?.grpc.p50Ms ?? '–',
        q.oneAtATime?.grpc.p95Ms ?? '–',
        q.oneAtATime?.direct.p50Ms ?? '–',
        q.oneAtATime?.direct.p95Ms ?? '–',
      ]),
    ),
    bars(
      `search on ${run.engine}: p99 by query kind`,
      'ms',
      (r.queries as Json[]).map((q) => ({
        label: q.name,
        values: [
          { name: 'gRPC', value: q.grpc.p99Ms },
          { name: run.direct, value: direct(q).p99Ms },
        ],
      })),
    ),
  )
}
const [onPostgres, onOpenSearch] = [results.search, results['search-opensearch']]
if (onPostgres && onOpenSearch) {
  const other = new Map((onOpenSearch.queries as Json[]).map((q) => [q.name, q]))
  const kinds = (onPostgres.queries as Json[]).filter((q) => other.has(q.name))
  sections.push(
    `<h2>search: the engines side by side</h2><p>load: PostgreSQL ${num(onPostgres.load.items)} items at ${num(onPostgres.load.itemsPerSec)} items/s, OpenSearch ${num(onOpenSearch.load.items)} at ${num(onOpenSearch.load.docsPerSec)} docs/s; freshness p99: PostgreSQL ≤ ${onPostgres.freshness.p99AtMostS} s, OpenSearch ≤ ${onOpenSearch.freshness.p99AtMostS} s (applied; searchable at its next refresh)</p>`,
    table(
      ['query kind', 'PostgreSQL gRPC p50', 'p99', 'past timeout', 'OpenSearch gRPC p50', 'p99', 'past timeout'],
      kinds.map((q) => {
        const o = other.get(q.name) as Json
        return [q.name, q.grpc.p50Ms, q.grpc.p99Ms, q.grpc.pastTimeout, o.grpc.p50Ms, o.grpc.p99Ms, o.grpc.pastTimeout]
      }),
    ),
    bars(
      'search gRPC p99 by engine',
      'ms',
      kinds.map((q) => ({
        label: q.name,
        values: [
          { name: 'PostgreSQL', value: q.grpc.p99Ms },
          { name: 'OpenSearch', value: (other.get(q.name) as Json).grpc.p99Ms },
        ],
      })),
    ),
  )
}
for (const run of [
  { bench: 'ingestion', engine: 'PostgreSQL', baseline: 'raw COPY', rate: 'rawCopyRowsPerSec' },
  { bench: 'ingestion-opensearch', engine: 'OpenSearch', baseline: 'bulk writes', rate: 'bulkDocsPerSec' },
] as const) {
  const r = results[run.bench]
  if (!r) continue
  sections.push(
    `<h2>ingestion, searchable on ${run.engine}</h2><p>${esc(JSON.stringify(r.load))}; ingestion peak RSS ${num(r.ingestionPeakRssMiB)} MiB; ratio end to end / ${run.baseline} ${num(r.ratio, 2)}</p>`,
    bars(`ingestion throughput (${run.engine})`, 'records/s', [
      {
        label: 'records per second',
        values: [
          { name: 'ingestion job', value: r.ingestionRecordsPerSec },
          { name: 'end to end (searchable)', value: r.endToEndRecordsPerSec },
          { name: `${run.baseline} baseline`, value: r[run.rate] },
        ],
      },
    ]),
  )
}
if (results.prices) {
  const r = results.prices
  const kinds = r.queries as Json[]
  sections.push(
    `<h2>price history</h2><p>${num(r.load.rows)} price rows over ${num(r.load.items)} items (loaded in ${num(r.load.seconds)} s); ${num(r.storage.bytesPerMillionRows / 2 ** 20)} MiB on disk per million rows (table and indexes); ${num(r.load.queriesPerKind)} queries per kind, ${num(r.load.inFlight)} in flight${r.retention ? `; a retention pass to one year dropped ${num(r.retention.partitionsDropped)} of ${num(r.retention.partitionsBefore)} months (${num(r.retention.rowsDropped)} rows) in ${num(r.retention.ms)} ms` : ''}${r.gatewayFloor ? `; the gateway's floor (GET /v1/items/{id}, same run) p95 ${num(r.gatewayFloor.p95Ms, 1)} ms` : ''}</p>`,
    bars(
      'price reads p95: through the gateway and the same statements run directly',
      'ms',
      kinds.map((k) => ({
        label: k.name,
        values: [
          { name: 'gateway', value: k.gateway.p95Ms },
          { name: 'direct SQL', value: k.direct.p95Ms },
        ],
      })),
    ),
  )
}
if (results.soak) {
  const r = results.soak
  const windows = r.windows as Json[]
  const xs = windows.map((w) => w.at as number)
  const routes = Object.keys(windows[0]?.routes ?? {})
  const procs = Object.keys(windows[0]?.rssMiB ?? {})
  sections.push(
    `<h2>soak</h2><p>${num(r.seconds)} s at ${num(r.soakRequestsPerSecond)} requests/s (half of ${num(r.peakRequestsPerSecond)}); ${num(r.requests)} requests, error rate ${r.errorRate}; RSS growth after warm-up ${esc(JSON.stringify(r.rssGrowthPercentAfterWarmup))} %${r.rssTrendPercentAfterWarmup ? `, on the fitted line ${esc(JSON.stringify(r.rssTrendPercentAfterWarmup))} %` : ''}</p>`,
    lines(
      'p99 per route',
      'ms',
      xs,
      routes.map((name) => ({ name, ys: windows.map((w) => w.routes[name].p99 as number) })),
    ),
    lines(
      'RSS per process',
      'MiB',
      xs,
      procs.map((name) => ({ name, ys: windows.map((w) => w.rssMiB[name] as number) })),
    ),
  )
}

const machine = Object.values(results)[0]?.machine ?? 'unknown'
const html = `<!doctype html><html><head><meta charset="utf-8"><title>catalog platform benchmarks</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body><h1>catalog platform benchmarks</h1><p>${esc(machine)}; generated ${esc(new Date().toISOString())}. Every figure sits beside a baseline measured in the same run.</p>
${sections.join('\n')}
</body></html>
`
writeFileSync(join(ROOT, 'bench/report.html'), html)
console.log(`wrote bench/results.json and bench/report.html (${Object.keys(results).join(', ') || 'no bench results found'})`)
