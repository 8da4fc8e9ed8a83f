// The Grafana overview dashboard of the platform, written from this description into the umbrella
// chart (helm/catalog-platform/files/dashboards/), which ships it as a ConfigMap for Grafana's
// dashboard sidecar. Panels are described once here, so their layout and queries stay readable.
//
//   node deploy/scripts/dashboard.ts          rewrite the dashboard JSON
//
// deploy/test/observability.test.ts fails when the file differs from what this writes, and when a
// query names a metric the services do not export.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const DASHBOARD_FILE = fileURLToPath(
  new URL('../../helm/catalog-platform/files/dashboards/catalog-platform-overview.json', import.meta.url),
)

interface Panel {
  title: string
  unit: string
  /** PromQL, with legend: `$namespace` is the dashboard variable. */
  targets: { expr: string; legend: string }[]
  description?: string
}

// Grafana's own variable syntax, resolved by Grafana when the dashboard loads: not a JS template.
// biome-ignore lint/suspicious/noTemplateCurlyInString: see above
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' }
const ns = 'namespace="$namespace"'
const rate = (metric: string, labels = '', window = '5m') => `rate(${metric}{${ns}${labels ? `,${labels}` : ''}}[${window}])`
const p99 = (metric: string, by: string, labels = '') =>
  `histogram_quantile(0.99, sum by (le${by ? `, ${by}` : ''}) (${rate(`${metric}_bucket`, labels)}))`

const ROWS: { title: string; panels: Panel[] }[] = [
  {
    title: 'Gateway (REST)',
    panels: [
      {
        title: 'Requests per second, by route',
        unit: 'reqps',
        targets: [{ expr: `sum by (route) (${rate('http_server_requests_total', 'app="gateway"')})`, legend: '{{route}}' }],
      },
      {
        title: '5xx ratio',
        unit: 'percentunit',
        description: 'Alert CatalogGatewayErrorRatioHigh above 1 %.',
        targets: [
          {
            expr: `sum(${rate('http_server_requests_total', 'app="gateway",status=~"5.."')}) / sum(${rate('http_server_requests_total', 'app="gateway"')})`,
            legend: '5xx',
          },
        ],
      },
      {
        title: 'p99 latency, by route',
        unit: 's',
        targets: [{ expr: p99('http_server_request_duration_seconds', 'route', 'app="gateway"'), legend: '{{route}}' }],
      },
      {
        title: 'Upstream p99, by backend',
        unit: 's',
        targets: [{ expr: p99('gateway_upstream_duration_seconds', 'backend'), legend: '{{backend}}' }],
      },
      {
        title: 'Rate limit decisions',
        unit: 'reqps',
        targets: [
          {
            expr: `sum by (dimension, outcome) (${rate('gateway_rate_limit_decisions_total')})`,
            legend: '{{dimension}} {{outcome}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Services (gRPC)',
    panels: [
      {
        title: 'Calls per second, by service and code',
        unit: 'reqps',
        targets: [{ expr: `sum by (app, code) (${rate('grpc_server_handled_total')})`, legend: '{{app}} {{code}}' }],
      },
      {
        title: 'p99 handling time, by method',
        unit: 's',
        targets: [{ expr: p99('grpc_server_handling_seconds', 'app, method'), legend: '{{app}} {{method}}' }],
      },
      {
        title: 'PostgreSQL pool, by state',
        unit: 'short',
        targets: [{ expr: `sum by (app, state) (db_pool_connections{${ns}})`, legend: '{{app}} {{state}}' }],
      },
    ],
  },
  {
    title: 'Events (outbox, Kafka, search)',
    panels: [
      {
        title: 'Consumer lag, by topic',
        unit: 'short',
        description: 'Alert CatalogConsumerLagGrowing above 10 000 and growing. KEDA adds consumers on the same figure.',
        targets: [{ expr: `sum by (app, topic) (kafka_consumer_lag{${ns}})`, legend: '{{app}} {{topic}}' }],
      },
      {
        title: 'Batch processing p99, by topic',
        unit: 's',
        targets: [{ expr: p99('kafka_consumer_batch_seconds', 'topic'), legend: '{{topic}}' }],
      },
      {
        title: 'Outbox backlog and oldest event',
        unit: 'short',
        description: 'Alert CatalogOutboxStuck when the oldest event is older than 5 minutes.',
        targets: [
          { expr: `max(outbox_backlog{${ns},measure="events"})`, legend: 'events' },
          { expr: `max(outbox_backlog{${ns},measure="oldest_age_seconds"})`, legend: 'oldest (s)' },
        ],
      },
      {
        title: 'Search freshness (write to searchable)',
        unit: 's',
        targets: [
          { expr: p99('search_index_freshness_seconds', ''), legend: 'p99' },
          {
            expr: `histogram_quantile(0.5, sum by (le) (${rate('search_index_freshness_seconds_bucket')}))`,
            legend: 'p50',
          },
        ],
      },
      {
        title: 'Dead-lettered messages',
        unit: 'short',
        targets: [{ expr: `sum by (app, topic) (increase(kafka_consumer_dlq_total{${ns}}[15m]))`, legend: '{{app}} {{topic}}' }],
      },
    ],
  },
  {
    title: 'Ingestion',
    panels: [
      {
        title: 'Records per second, by outcome',
        unit: 'short',
        targets: [
          { expr: `sum by (outcome) (${rate('ingestion_records_total')})`, legend: 'read {{outcome}}' },
          { expr: `sum by (outcome) (${rate('catalog_ingest_records_total')})`, legend: 'applied {{outcome}}' },
        ],
      },
      {
        title: 'Jobs',
        unit: 'short',
        targets: [
          { expr: `sum(ingestion_jobs_running{${ns}})`, legend: 'running' },
          { expr: `sum by (state) (increase(ingestion_jobs_finished_total{${ns}}[1h]))`, legend: 'finished {{state}} (1h)' },
        ],
      },
      {
        title: 'Bytes read per second',
        unit: 'Bps',
        targets: [{ expr: `sum(${rate('ingestion_bytes_read_total')})`, legend: 'bytes' }],
      },
    ],
  },
  {
    title: 'Runtime',
    panels: [
      {
        title: 'Resident memory, by pod',
        unit: 'bytes',
        targets: [{ expr: `max by (pod) (process_resident_memory_bytes{${ns}})`, legend: '{{pod}}' }],
      },
      {
        title: 'Event loop lag p99, by pod',
        unit: 's',
        targets: [{ expr: `max by (pod) (nodejs_eventloop_lag_p99_seconds{${ns}})`, legend: '{{pod}}' }],
      },
      {
        title: 'Certificate validity left, by pod',
        unit: 's',
        targets: [{ expr: `min by (pod) (tls_certificate_expiry_timestamp_seconds{${ns}}) - time()`, legend: '{{pod}}' }],
      },
    ],
  },
]

/** The dashboard, as Grafana's sidecar imports it. */
export function dashboard(): Record<string, unknown> {
  const panels: Record<string, unknown>[] = []
  let id = 1
  let y = 0
  for (const row of ROWS) {
    panels.push({ type: 'row', id: id++, title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] })
    y += 1
    row.panels.forEach((panel, i) => {
      const w = 8
      panels.push({
        type: 'timeseries',
        id: id++,
        title: panel.title,
        ...(panel.description ? { description: panel.description } : {}),
        datasource: DATASOURCE,
        gridPos: { h: 8, w, x: (i % 3) * w, y: y + Math.floor(i / 3) * 8 },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
        targets: panel.targets.map((target, j) => ({
          refId: String.fromCharCode(65 + j),
          datasource: DATASOURCE,
          expr: target.expr,
          legendFormat: target.legend,
        })),
      })
    })
    y += Math.ceil(row.panels.length / 3) * 8
  }
  return {
    uid: 'catalog-platform-overview',
    title: 'Catalog platform: overview',
    tags: ['catalog-platform'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-3h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', current: {} },
        {
          name: 'namespace',
          type: 'query',
          datasource: DATASOURCE,
          query: { query: 'label_values(grpc_server_handled_total, namespace)', refId: 'namespace' },
          refresh: 2,
          current: {},
        },
      ],
    },
    panels,
  }
}

/** Every PromQL expression of the dashboard. */
export const dashboardQueries = (): string[] => ROWS.flatMap((row) => row.panels.flatMap((p) => p.targets.map((t) => t.expr)))

export const renderDashboard = () => `${JSON.stringify(dashboard(), null, 2)}\n`

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DASHBOARD_FILE, renderDashboard())
  process.stdout.write(`wrote ${DASHBOARD_FILE}\n`)
}
