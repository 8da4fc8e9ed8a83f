import type { InjectOptions } from 'fastify'
import t from 'tap'
import { startCatalog, startGateway } from './helpers/gateway.ts'

const lamp = {
  source: 'shop',
  external_id: 'lamp-1',
  title: 'Desk lamp',
  description: 'Warm light.',
  tags: ['home', 'light'],
  attributes: { color: 'brass', watts: 40 },
  price: { amount_minor: 4999, currency: 'EUR' },
  published_at: '2026-01-02T03:04:05.000Z',
}

t.test('items over REST, end to end through the real catalog', async (t) => {
  const { address } = await startCatalog(t)
  const gw = await startGateway(t, address)
  const acme = await gw.auth('acme')

  const created = await gw.app.inject({ method: 'POST', url: '/v1/items', headers: acme, payload: lamp })
  t.equal(created.statusCode, 201, created.body)
  const item = created.json()
  t.equal(created.headers.location, `/v1/items/${item.id}`)
  t.equal(created.headers.etag, '"1"')
  t.same(
    { ...item, id: undefined, created_at: undefined, updated_at: undefined },
    { ...lamp, tags: ['home', 'light'], id: undefined, created_at: undefined, updated_at: undefined, version: 1 },
  )

  const got = await gw.app.inject({ method: 'GET', url: `/v1/items/${item.id}`, headers: acme })
  t.equal(got.statusCode, 200)
  t.equal(got.headers.etag, '"1"')
  t.equal(got.headers['cache-control'], 'private, no-cache')
  t.same(got.json(), item)
  const token = acme.authorization.slice('Bearer '.length)
  for (const scheme of ['bearer', 'BEARER']) {
    const res = await gw.app.inject({
      method: 'GET',
      url: `/v1/items/${item.id}`,
      headers: { authorization: `${scheme} ${token}` },
    })
    t.equal(res.statusCode, 200, `the auth scheme is case-insensitive: ${scheme}`)
  }
  for (const [url, where] of [
    ['/v1/items/%E0%A4%A', 'path'],
    ['/v1/search?q=%E0%A4%A', 'query'],
  ]) {
    const res = await gw.app.inject({ method: 'GET', url: url as string, headers: acme })
    t.equal(res.statusCode, 400, `${url}: 400`)
    t.match(res.json(), { errors: [{ field: 'uri', detail: `${where} is not valid percent-encoding` }] }, `${url}: names the uri`)
  }

  const cached = await gw.app.inject({
    method: 'GET',
    url: `/v1/items/${item.id}`,
    headers: { ...acme, 'if-none-match': 'W/"1"' },
  })
  t.equal(cached.statusCode, 304, 'If-None-Match with the current version answers 304')
  t.equal(cached.body, '')

  const stale = await gw.app.inject({
    method: 'PATCH',
    url: `/v1/items/${item.id}`,
    headers: { ...acme, 'if-match': '"7"' },
    payload: { title: 'Lamp' },
  })
  t.equal(stale.statusCode, 412, 'a stale If-Match is 412')
  t.equal(stale.headers['content-type'], 'application/problem+json; charset=utf-8')

  const patched = await gw.app.inject({
    method: 'PATCH',
    url: `/v1/items/${item.id}`,
    headers: { ...acme, 'if-match': '"1"' },
    payload: { title: 'Lamp', price: null },
  })
  t.equal(patched.statusCode, 200, patched.body)
  t.equal(patched.json().title, 'Lamp')
  t.equal(patched.json().price, null, 'null clears the price (merge patch)')
  t.equal(patched.json().description, 'Warm light.', 'what the patch leaves out stays')
  t.equal(patched.headers.etag, '"2"')

  const replaced = await gw.app.inject({
    method: 'PUT',
    url: `/v1/items/${item.id}`,
    headers: acme,
    payload: { title: 'Only a title' },
  })
  t.equal(replaced.statusCode, 200)
  t.same([replaced.json().title, replaced.json().description, replaced.json().tags], ['Only a title', '', []])

  const prices = await gw.app.inject({ method: 'GET', url: `/v1/items/${item.id}/prices?limit=1`, headers: acme })
  t.equal(prices.statusCode, 200)
  t.same(prices.json().items, [{ version: 2, price: null, changed_at: patched.json().updated_at }])
  const next = await gw.app.inject({
    method: 'GET',
    url: `/v1/items/${item.id}/prices?limit=1&cursor=${prices.json().next_cursor}`,
    headers: acme,
  })
  t.same(
    next.json().items.map((p: { price: unknown }) => p.price),
    [{ amount_minor: 4999, currency: 'EUR' }],
  )

  const deleted = await gw.app.inject({ method: 'DELETE', url: `/v1/items/${item.id}`, headers: acme })
  t.equal(deleted.statusCode, 204)
  const gone = await gw.app.inject({ method: 'GET', url: `/v1/items/${item.id}`, headers: acme })
  t.equal(gone.statusCode, 404)
  t.match(gone.json(), { type: 'urn:catalog-platform:problem:not-found', status: 404, code: 'CAT_ERR_NOT_FOUND' })
})

t.test('tenant B gets 404 for tenant A items on read, update and delete', async (t) => {
  const { address } = await startCatalog(t)
  const gw = await gw0(t, address)
  const a = await gw.auth('tenant-a')
  const b = await gw.auth('tenant-b')
  const { id } = (await gw.app.inject({ method: 'POST', url: '/v1/items', headers: a, payload: lamp })).json()
  for (const [method, payload] of [['GET'], ['PATCH', { title: 'x' }], ['PUT', { title: 'x' }], ['DELETE']] as const) {
    const res = await gw.app.inject({ method, url: `/v1/items/${id}`, headers: b, ...(payload ? { payload } : {}) })
    t.equal(res.statusCode, 404, `${method} by another tenant`)
  }
  const prices = await gw.app.inject({ method: 'GET', url: `/v1/items/${id}/prices`, headers: b })
  t.equal(prices.statusCode, 404)
  const mine = await gw.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: a })
  t.equal(mine.json().version, 1, "A's item is untouched")
})

t.test('scopes: a token without the route scope is 403', async (t) => {
  const { address } = await startCatalog(t)
  const gw = await gw0(t, address)
  const reader = await gw.auth('acme', 'items:read')
  const res = await gw.app.inject({ method: 'POST', url: '/v1/items', headers: reader, payload: lamp })
  t.equal(res.statusCode, 403)
  t.match(res.headers['www-authenticate'], /insufficient_scope/)
  t.equal(res.json().code, 'GW_ERR_FORBIDDEN')
  const none = await gw.app.inject({ method: 'GET', url: '/v1/items/00000000-0000-4000-8000-000000000000' })
  t.equal(none.statusCode, 401)
  t.equal(none.headers['www-authenticate'], 'Bearer realm="catalog"')
})

t.test('bad requests are 4xx problems that name the field', async (t) => {
  const { address, pool } = await startCatalog(t)
  const gw = await gw0(t, address)
  const acme = await gw.auth('acme')
  const fieldsOf = async (req: InjectOptions, status = 400) => {
    const res = await gw.app.inject(req)
    t.equal(res.statusCode, status, `${JSON.stringify(req).slice(0, 120)} -> ${res.body.slice(0, 200)}`)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    return (res.json().errors ?? []).map((e: { field: string }) => e.field)
  }
  const post = (payload: unknown) => ({ method: 'POST' as const, url: '/v1/items', headers: acme, payload: payload as object })
  t.same(await fieldsOf(post({ ...lamp, colour: 'red' })), ['body.colour'], 'an unknown field')
  t.same(await fieldsOf(post({ ...lamp, title: 123 })), ['body.title'], 'a wrong type is not coerced')
  t.same(await fieldsOf(post({ ...lamp, price: { amount_minor: -1, currency: 'EUR' } })), ['body.price.amount_minor'])
  t.same(
    await fieldsOf(post({ ...lamp, price: { amount_minor: 1, currency: 'XYZ' } })),
    ['body.price.currency'],
    'the catalog names it',
  )
  t.same(await fieldsOf(post({ ...lamp, published_at: 'yesterday' })), ['body.published_at'])
  t.same(await fieldsOf(post({ ...lamp, title: 'x'.repeat(501) })), ['body.title'])
  const deep = JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`)
  t.same(await fieldsOf(post({ ...lamp, attributes: deep })), ['body.attributes'], 'attributes nested too deep')
  t.same(await fieldsOf({ method: 'GET', url: '/v1/items/not-a-uuid', headers: acme }), ['params.id'])
  t.same(await fieldsOf({ method: 'GET', url: '/v1/items/00000000-0000-4000-8000-000000000000/prices?limit=0', headers: acme }), [
    'query.limit',
  ])
  const forged = await fieldsOf({
    method: 'GET',
    url: '/v1/items/00000000-0000-4000-8000-000000000000/prices?cursor=Zm9yZ2Vk',
    headers: acme,
  })
  t.same(forged, ['query.cursor'])
  t.same(
    await fieldsOf({
      method: 'PATCH',
      url: '/v1/items/00000000-0000-4000-8000-000000000000',
      headers: { ...acme, 'if-match': 'W/"1"' },
      payload: { title: 'x' },
    }),
    ['headers.if-match'],
  )
  await fieldsOf({
    method: 'POST',
    url: '/v1/items',
    headers: { ...acme, 'content-type': 'application/json' },
    payload: '{"title":',
  })
  await fieldsOf({ method: 'POST', url: '/v1/items', headers: { ...acme, 'content-type': 'text/plain' }, payload: 'hello' }, 415)
  await fieldsOf(post({ ...lamp, description: 'x'.repeat(2 * 1024 * 1024) }), 413)
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM items')
  t.equal(rows[0].n, 0, 'nothing was written')
})

t.test('request ids, docs, OpenAPI and probes', async (t) => {
  const { address } = await startCatalog(t)
  const gw = await gw0(t, address)
  const traced = await gw.app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'x-request-id': 'abc-123' } })
  t.equal(traced.statusCode, 404)
  t.equal(traced.headers['x-request-id'], 'abc-123')
  t.equal(traced.json().request_id, 'abc-123')
  const generated = await gw.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } })
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a malformed request id is replaced')
  t.ok(generated.headers['x-content-type-options'], 'security headers are set')

  const spec = (await gw.app.inject({ method: 'GET', url: '/openapi.json' })).json()
  t.equal(spec.openapi, '3.1.0')
  t.ok(spec.paths['/v1/items/{id}'].patch, 'routes are documented')
  t.ok(spec.components.securitySchemes.bearer)
  t.equal((await gw.app.inject({ method: 'GET', url: '/docs/' })).statusCode, 200)
  t.equal((await gw.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  const ready = await gw.app.inject({ method: 'GET', url: '/readyz' })
  t.same(ready.json(), { ready: true, checks: { catalog: 'ok' } })
  const metrics = await gw.metrics()
  t.match(metrics, /http_server_requests_total\{method="GET",route="\/readyz",status="200"/)
})

const gw0 = startGateway
