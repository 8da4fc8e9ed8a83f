// Tracing in a real catalog process: configured only by the standard OTEL_* variables, exporting
// over OTLP (here http/json, to a receiver in this test) with its resource attributes, continuing
// the caller's trace, and flushing on SIGTERM; with no endpoint set, nothing is exported.
import type { IncomingMessage } from 'node:http'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { logged, startServiceProcess, testCerts, testDatabase } from '@catalog/kit/testing'
import { loadCatalog } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import t from 'tap'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

interface OtlpSpan {
  traceId: string
  parentSpanId?: string
  name: string
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] }
    scopeSpans: { spans: OtlpSpan[] }[]
  }[]
}

/** An OTLP/HTTP JSON receiver: what the process exported, as it arrives. */
async function receiver(t: { teardown(fn: () => unknown): void }, port = 0) {
  const exports: OtlpExport[] = []
  const body = async (req: IncomingMessage) => {
    let text = ''
    for await (const chunk of req) text += chunk
    return text
  }
  const server = createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/v1/traces') exports.push(JSON.parse(await body(req)) as OtlpExport)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, port ? '::' : '127.0.0.1', resolve)
  })
  t.teardown(() => server.close())
  const bound = (server.address() as { port: number }).port
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    spans: () =>
      exports.flatMap((e) =>
        e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ span, resource: r.resource })))),
      ),
  }
}

async function catalogProcess(t: { teardown(fn: () => unknown): void }, env: Record<string, string>) {
  const proc = await startServiceProcess(
    MAIN,
    {
      ...testCerts().env('catalog'),
      DATABASE_URL: await testDatabase(t),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HEALTH_PORT: '0',
      METRICS_PORT: '0',
      ...env,
    },
    { readyMessage: 'catalog ready' },
  )
  t.teardown(() => proc.child.kill('SIGKILL'))
  const client = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
    address: `localhost:${logged<number>(proc.lines, 'port')}`,
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 5_000,
  })
  t.teardown(() => client.close())
  const create = (traceId: string) => {
    const metadata = writePrincipal(new Metadata(), { tenant: 'acme', subject: 'u', scopes: [] })
    metadata.set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`)
    return client.call('CreateItem', { source: 's', external_id: `e-${traceId}`, fields: { title: 'Traced' } }, { metadata })
  }
  return { proc, create }
}

t.test(
  'with an OTLP endpoint, the process exports the spans of a call in its caller trace, and flushes on SIGTERM',
  async (t) => {
    const otlp = await receiver(t)
    const { proc, create } = await catalogProcess(t, {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Long enough that only the SIGTERM flush can deliver them.
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=catalog-7d9f-abcde',
      SERVICE_VERSION: '1.2.3',
    })
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    await create(traceId)
    t.equal(await proc.stop(), 0, 'a clean exit after SIGTERM')
    const spans = otlp.spans().filter(({ span }) => span.traceId === traceId)
    const server = spans.find(({ span }) => /CatalogService\/CreateItem$/.test(span.name))
    if (!server) {
      t.fail('the gRPC server span of the call, in the caller trace', { names: otlp.spans().map((s) => s.span.name) })
      return
    }
    t.pass('the gRPC server span of the call, in the caller trace')
    t.equal(server.span.parentSpanId, '00f067aa0ba902b7', "the child of the caller's span")
    t.ok(
      spans.some(({ span }) => /INSERT/.test(span.name) || span.name.startsWith('pg.')),
      'and the SQL spans under it',
      { names: spans.map((s) => s.span.name) },
    )
    const attribute = (key: string) => server.resource.attributes.find((a) => a.key === key)?.value.stringValue
    t.equal(attribute('service.name'), 'catalog')
    t.equal(attribute('service.version'), '1.2.3')
    t.equal(attribute('k8s.pod.name'), 'catalog-7d9f-abcde', 'OTEL_RESOURCE_ATTRIBUTES are read')
  },
)

t.test('without an endpoint, nothing is exported, not even to the default collector address', async (t) => {
  // The address an OTLP exporter falls back to (localhost:4318), on every interface.
  const fallback = await receiver(t, 4318).catch(() => undefined)
  if (!fallback) {
    t.comment('port 4318 is taken on this machine: the check needs it')
    return
  }
  const { proc, create } = await catalogProcess(t, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })
  await create('5bf92f3577b34da6a3ce929d0e0e4736')
  t.equal(await proc.stop(), 0)
  t.same(fallback.spans(), [], 'no spans anywhere')
})
