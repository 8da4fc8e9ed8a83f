import t from 'tap'
import { requestTraceparent } from '../src/traceparent.ts'
import { startCatalog, startGateway } from './helpers/gateway.ts'

t.test("the caller's W3C trace context reaches the events its write causes, through gRPC and the outbox", async (t) => {
  const cat = await startCatalog(t)
  const gw = await startGateway(t, cat.address)
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const res = await gw.app.inject({
    method: 'POST',
    url: '/v1/items',
    headers: { ...(await gw.auth('acme')), traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    payload: { source: 'shop', external_id: 'traced', title: 'Traced lamp', price: { amount_minor: 100, currency: 'EUR' } },
  })
  t.equal(res.statusCode, 201)
  const { rows } = await cat.pool.query<{ type: string; traceparent: string }>(
    `SELECT type, headers->>'traceparent' AS traceparent FROM outbox_events ORDER BY id`,
  )
  t.same(
    rows.map((r) => r.type),
    ['item.upserted', 'price.changed'],
  )
  for (const row of rows) {
    t.equal(row.traceparent.split('-')[1], traceId, `${row.type} carries the caller's trace`)
    t.not(row.traceparent.split('-')[2], '00f067aa0ba902b7', 'as a new span of it (the gateway hop)')
  }

  await gw.app.inject({
    method: 'POST',
    url: '/v1/items',
    headers: await gw.auth('acme'),
    payload: { source: 'shop', external_id: 'untraced', title: 'Untraced lamp' },
  })
  const fresh = await cat.pool.query<{ traceparent: string }>(
    `SELECT headers->>'traceparent' AS traceparent FROM outbox_events ORDER BY id DESC LIMIT 1`,
  )
  t.match(fresh.rows[0]?.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'a request without one starts a trace')
  t.not(fresh.rows[0]?.traceparent.split('-')[1], traceId)
})

t.test(
  'without tracing, a request continues a valid caller trace in a new span, flags kept; else it starts a sampled trace',
  async (t) => {
    const caller = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'
    const hop = requestTraceparent(caller)
    t.match(hop, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/)
    t.not(hop.split('-')[2], '00f067aa0ba902b7', 'a new span id')
    t.match(requestTraceparent(` ${caller.toUpperCase()} `), /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/)
    for (const invalid of [undefined, '', 'junk', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, ['x']]) {
      const started = requestTraceparent(invalid)
      t.match(started, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, `${JSON.stringify(invalid)} starts a trace`)
      t.not(started.split('-')[1], '4bf92f3577b34da6a3ce929d0e0e4736')
    }
    const many = Array.from({ length: 2_000 }, () => requestTraceparent(undefined))
    t.equal(new Set(many.map((p) => p.split('-')[1])).size, many.length, 'trace ids do not repeat, across refills of the pool')
    t.equal(new Set(many.map((p) => p.split('-')[2])).size, many.length, 'nor do span ids')
  },
)
