import t from 'tap'
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
