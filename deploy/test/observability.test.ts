// The dashboard and the alerts the umbrella chart ships: they parse, the dashboard is what
// deploy/scripts/dashboard.ts writes, every alert has a runbook section, and every metric a query or
// an alert names is one the platform exports: a metric renamed in code fails here, not on a
// dashboard that silently goes blank.
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { collectDefaultMetrics, Registry } from 'prom-client'
import t from 'tap'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { DASHBOARD_FILE, dashboardQueries, renderDashboard } from '../scripts/dashboard.ts'
import { builtUmbrella, tool } from './helpers/charts.ts'

const run = promisify(execFile)
const REPO = fileURLToPath(new URL('../../', import.meta.url))
const SOURCES = ['services/kit/src', 'services/catalog/src', 'services/search/src', 'services/ingestion/src', 'gateway/src']

/** Every metric the processes export: each prom-client metric the sources define, and Node's defaults. */
function exportedMetrics(): Map<string, string> {
  const types = new Map<string, string>()
  const files = (dir: string): string[] =>
    readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    )
  for (const file of SOURCES.flatMap(files)) {
    const text = readFileSync(join(REPO, file), 'utf8')
    for (const m of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-zA-Z_:][a-zA-Z0-9_:]*)'/g))
      types.set(m[2] as string, (m[1] as string).toLowerCase())
  }
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  for (const metric of registry.getMetricsAsArray()) types.set(metric.name, String(metric.type))
  return types
}

const FUNCTIONS_AND_KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'bool', 'offset', 'inf', 'nan'])

/** The metric names a PromQL expression reads. */
function metricsOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, '') // matchers
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '') // grouping labels
    .replace(/\[[^\]]*\]/g, '') // ranges and subqueries
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice((m.index ?? 0) + m[0].length))) // a function call
    .filter((m) => !/[0-9.]$/.test(bare.slice(0, m.index ?? 0))) // the exponent or unit of a number
    .map((m) => m[0])
    .filter((name) => !FUNCTIONS_AND_KEYWORDS.has(name.toLowerCase()))
    .filter((name, i, all) => all.indexOf(name) === i)
}

/** Whether `name` is exported as is, or is a series of an exported histogram or summary. */
function isExported(exported: Map<string, string>, name: string): boolean {
  if (exported.has(name)) return true
  const base = name.replace(/_(bucket|sum|count)$/, '')
  return base !== name && ['histogram', 'summary'].includes(exported.get(base) ?? '')
}

const alertsFile = join(REPO, 'helm/catalog-platform/files/alerts.yaml')
interface Rule {
  alert: string
  expr: string
  labels: { severity: string }
  annotations: Record<string, string>
}
const rules = (parseYaml(readFileSync(alertsFile, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules)

t.test('the dashboard JSON is what deploy/scripts/dashboard.ts writes', async (t) => {
  t.equal(
    existsSync(DASHBOARD_FILE) ? readFileSync(DASHBOARD_FILE, 'utf8') : '',
    renderDashboard(),
    'run node deploy/scripts/dashboard.ts',
  )
})

t.test('the metric check itself finds a metric nobody exports', async (t) => {
  const exported = exportedMetrics()
  t.ok(exported.size > 30, 'the platform metrics and the Node defaults')
  t.same(metricsOf('sum by (le, route) (rate(http_server_request_duration_seconds_bucket{app="gateway"}[5m])) > 0.5'), [
    'http_server_request_duration_seconds_bucket',
  ])
  t.ok(isExported(exported, 'http_server_request_duration_seconds_bucket'), 'a histogram series')
  t.notOk(isExported(exported, 'http_server_requests_total_bucket'), 'not a counter with a bucket suffix')
  t.notOk(isExported(exported, 'outbox_backlog_events'), 'nor a name the code does not define')
})

t.test('every dashboard query and every alert reads only metrics the services export', async (t) => {
  const exported = exportedMetrics()
  for (const expr of dashboardQueries()) {
    const names = metricsOf(expr)
    t.ok(names.length > 0, `dashboard: ${expr} reads a metric`)
    for (const name of names) t.ok(isExported(exported, name), `dashboard: ${name} is exported`)
  }
  for (const rule of rules) {
    const names = metricsOf(rule.expr)
    t.ok(names.length > 0, `${rule.alert} reads a metric`)
    for (const name of names) t.ok(isExported(exported, name), `${rule.alert}: ${name} is exported`)
  }
})

t.test('every alert has a severity, a summary and a runbook section', async (t) => {
  const runbook = readFileSync(join(REPO, 'deploy/RUNBOOK.md'), 'utf8')
  t.ok(rules.length >= 8, 'the alerts the platform needs')
  for (const rule of rules) {
    t.match(rule.labels.severity, /^(page|warning)$/, `${rule.alert}: severity`)
    t.ok(rule.annotations.summary, `${rule.alert}: summary`)
    const anchor = rule.annotations.runbook_url?.split('#')[1]
    t.equal(anchor, rule.alert.toLowerCase(), `${rule.alert}: its runbook link`)
    t.match(runbook, new RegExp(`^## ${rule.alert}$`, 'm'), `${rule.alert}: a section in deploy/RUNBOOK.md`)
  }
})

const helm = tool('helm')

t.test('the chart renders them for the release namespace: a dashboards ConfigMap and a PrometheusRule', async (t) => {
  if (!helm) {
    t.fail('helm is not installed: the test command installs it (scripts/lib/k8s-tools.sh)')
    return
  }
  const umbrella = await builtUmbrella(t, helm)
  const { stdout } = await run(
    helm,
    ['template', 'catalog', umbrella, '-n', 'shop', '-f', join(REPO, 'helm/catalog-platform/ci/full-values.yaml')],
    { maxBuffer: 64 * 1024 * 1024 },
  )
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests, checked field by field
  const docs = parseAllDocuments(stdout).map((d) => d.toJS() as any)
  const configMap = docs.find((d) => d?.kind === 'ConfigMap' && d.metadata.name === 'catalog-dashboards')
  t.equal(configMap?.metadata.labels.grafana_dashboard, '1', 'labelled for the Grafana sidecar')
  const json = JSON.parse(configMap?.data['catalog-platform-overview.json'] ?? '{}')
  t.equal(json.uid, 'catalog-platform-overview', 'the dashboard, intact')
  const rule = docs.find((d) => d?.kind === 'PrometheusRule')
  const rendered: Rule[] = rule?.spec.groups.flatMap((g: { rules: Rule[] }) => g.rules) ?? []
  t.same(
    rendered.map((r) => r.alert),
    rules.map((r) => r.alert),
  )
  for (const r of rendered) {
    t.notMatch(r.expr, /__NAMESPACE__/, `${r.alert}: the namespace is filled in`)
    t.match(r.expr, /namespace="shop"/, `${r.alert}: scoped to the release's namespace`)
  }
})
