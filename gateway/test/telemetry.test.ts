// One trace from a REST call to the search index, with everything in one process so one in-memory
// exporter sees every span: the gateway's HTTP and Fastify spans, its gRPC call, the catalog's gRPC
// server span and SQL, the outbox event's publish, and the search indexer's processing of it.

import { startTelemetry } from '@catalog/kit/telemetry'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import t from 'tap'

const exporter = new InMemorySpanExporter()
await startTelemetry({ service: 'platform-test', exporter })
// Imported only now, so the instrumented modules (http, fastify, grpc, pg) load patched.
const { SpanKind, createMetrics } = await import('@catalog/kit')
const { pollUntil, silentLogger, startAtEnd } = await import('@catalog/kit/testing')
const { testRelays } = await import('@catalog/catalog-service/testing')
const { startTestSearch } = await import('@catalog/search-service/testing')
const { startIndexer } = await import('@catalog/search-service/indexer')
const { startCatalog, startGateway } = await import('./helpers/gateway.ts')

t.test('POST /v1/items is one trace from the gateway through the catalog and Kafka to the search index', async (t) => {
  const log = silentLogger()
  const cat = await startCatalog(t)
  const srch = await startTestSearch(t)
  const { kafka, relay } = await testRelays(t, cat.pool, { clientId: 'trace-test' })
  relay().start()
  // The shared broker holds earlier tests' events, some made to fail on purpose: start at its end.
  const groupId = `trace-test-${Date.now()}`
  await startAtEnd(kafka, groupId, 'catalog.item.v1')
  const indexer = await startIndexer(kafka, {
    engine: srch.engine,
    log,
    metrics: createMetrics({ service: 'search', defaultMetrics: false }),
    groupId,
    createTopics: true,
  })
  const gw = await startGateway(t, cat.address)
  await gw.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => {
    await indexer.stop()
  })

  const address = gw.app.server.address() as { port: number }
  const res = await fetch(`http://127.0.0.1:${address.port}/v1/items`, {
    method: 'POST',
    headers: { ...(await gw.auth('traced')), 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'shop', external_id: 'lamp-1', title: 'Traced lamp' }),
  })
  t.equal(res.status, 201)
  const { id } = (await res.json()) as { id: string }

  const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)
  const server = await pollUntil(
    () => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /v1/items'),
    Boolean,
    10_000,
  ).catch(() => undefined)
  if (!server) {
    t.fail('the gateway HTTP server span, named by its route', { spans: exporter.getFinishedSpans().map((s) => s.name) })
    return
  }
  t.pass('the gateway HTTP server span, named by its route')
  const traceId = server.spanContext().traceId
  const consumed = await pollUntil(
    () => spansOf(traceId).find((s) => s.kind === SpanKind.CONSUMER && s.name === 'catalog.item.v1 process'),
    Boolean,
    60_000,
  ).catch(() => undefined)
  t.ok(consumed, "the search indexer's processing of the event, in the same trace")
  const spans = spansOf(traceId)
  const has = (what: string, test: (s: ReadableSpan) => boolean) => {
    const found = spans.find(test)
    t.ok(found, what, { spans: spans.map((s) => `${SpanKind[s.kind]} ${s.name}`) })
    return found
  }
  has('a Fastify span of the route handler', (s) => s.instrumentationScope.name === '@fastify/otel')
  const client = has(
    'the gateway gRPC client span',
    (s) => s.kind === SpanKind.CLIENT && /catalog\.v1\.CatalogService\/CreateItem$/.test(s.name),
  )
  const grpcServer = has(
    'the catalog gRPC server span, the child of that call',
    (s) => s.kind === SpanKind.SERVER && /catalog\.v1\.CatalogService\/CreateItem$/.test(s.name),
  )
  t.equal(grpcServer?.parentSpanContext?.spanId, client?.spanContext().spanId, 'the gRPC server span continues the client span')
  has(
    'the SQL of the write, inside the catalog call',
    (s) =>
      s.kind === SpanKind.CLIENT &&
      s.instrumentationScope.name.includes('pg') &&
      /INSERT/i.test(String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? s.name)),
  )
  const publish = has(
    'the outbox publish of item.upserted',
    (s) => s.kind === SpanKind.PRODUCER && s.name === 'catalog.item.v1 publish',
  )
  t.equal(consumed?.parentSpanContext?.spanId, publish?.spanContext().spanId, 'the consumer span continues the publish')
  t.equal(
    publish?.parentSpanContext?.spanId,
    grpcServer?.spanContext().spanId,
    'the publish continues the catalog call that wrote it',
  )

  const indexed = await srch.pool.query('SELECT id FROM search_items WHERE id = $1', [id])
  t.equal(indexed.rowCount, 1, 'and the item is in the index')
  const read = await fetch(`http://127.0.0.1:${address.port}/v1/items/${id}`, { headers: await gw.auth('traced') })
  t.equal(read.status, 200)
  const readServer = await pollUntil(
    () => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.name === 'GET /v1/items/:id'),
    Boolean,
    10_000,
  ).catch(() => undefined)
  t.ok(
    readServer &&
      spansOf(readServer.spanContext().traceId).some(
        (s) => s.kind === SpanKind.CLIENT && /catalog\.v1\.CatalogService\/GetItem$/.test(s.name),
      ),
    'a traced read is never batched: its GetItem is in its own trace',
  )

  t.notOk(
    exporter.getFinishedSpans().some((s) => /healthz|readyz|metrics|grpc\.health/.test(s.name)),
    'probes and health checks are not traced',
  )
})
