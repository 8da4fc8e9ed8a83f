import { randomUUID } from 'node:crypto'
import { status } from '@grpc/grpc-js'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { idFailingWith, SLOW_ID, startFakeCatalog } from './helpers/fake-catalog.ts'
import type { RunningGateway } from './helpers/gateway.ts'
import { startCatalog, startGateway } from './helpers/gateway.ts'

/** How many calls of `method` the gateway made to the catalog, from its upstream histogram. */
async function upstreamCalls(gw: RunningGateway, method: string): Promise<number> {
  const metrics = await gw.metrics()
  const line = new RegExp(`^gateway_upstream_duration_seconds_count\\{[^}]*method="${method}"[^}]*\\} (\\d+)$`, 'gm')
  return [...metrics.matchAll(line)].reduce((sum, m) => sum + Number(m[1]), 0)
}

/** Sends the requests together, so that they reach the item loader in one turn of the event loop. */
const together = (gw: RunningGateway, requests: InjectOptions[]): Promise<LightMyRequestResponse[]> =>
  Promise.all(requests.map((r) => gw.app.inject(r)))

/** The problem document without what differs between any two requests. */
const problem = (res: LightMyRequestResponse) => {
  const { request_id: _id, ...rest } = res.json()
  return { status: res.statusCode, type: res.headers['content-type'], ...rest }
}

t.test('concurrent reads of one caller are one BatchGetItems; each gets its own item, as GetItem gives it', async (t) => {
  const { address } = await startCatalog(t)
  const gw = await startGateway(t, address)
  const acme = await gw.auth('acme')
  const made: { id: string }[] = []
  for (let i = 0; i < 3; i++) {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: acme,
      payload: { source: 'shop', external_id: `e${i}`, title: `Lamp ${i}` },
    })
    made.push(res.json())
  }
  const [first, second, third] = made as [{ id: string }, { id: string }, { id: string }]
  const alone = await gw.app.inject({ method: 'GET', url: `/v1/items/${first.id}`, headers: acme })
  t.equal(await upstreamCalls(gw, 'GetItem'), 1, 'a read alone is a GetItem')

  const read = await together(
    gw,
    made.map((item) => ({ method: 'GET', url: `/v1/items/${item.id}`, headers: acme })),
  )
  t.same(
    read.map((res) => res.json()),
    made,
    'each request its own item',
  )
  t.same(
    read.map((res) => res.headers.etag),
    ['"1"', '"1"', '"1"'],
  )
  t.same(read[0]?.json(), alone.json(), 'the same item GetItem gave')
  t.equal(await upstreamCalls(gw, 'BatchGetItems'), 1, 'in one call')
  t.equal(await upstreamCalls(gw, 'GetItem'), 1, 'and no GetItem more')

  const cached = await together(gw, [
    { method: 'GET', url: `/v1/items/${second.id}`, headers: { ...acme, 'if-none-match': '"1"' } },
    { method: 'GET', url: `/v1/items/${second.id}`, headers: acme },
  ])
  t.same(
    cached.map((res) => res.statusCode),
    [304, 200],
    'the same id twice in a batch; If-None-Match still answers 304',
  )
  t.equal(await upstreamCalls(gw, 'BatchGetItems'), 2)

  const many = await together(
    gw,
    Array.from({ length: 101 }, () => ({ method: 'GET', url: `/v1/items/${third.id}`, headers: acme })),
  )
  t.ok(
    many.every((res) => res.statusCode === 200),
    '101 reads',
  )
  t.equal(await upstreamCalls(gw, 'BatchGetItems'), 3, 'at most 100 in a batch')
  t.equal(await upstreamCalls(gw, 'GetItem'), 2, 'the one past them alone')
})

t.test('a missing id in a batch is the same 404 problem a GetItem gives; another tenant never shares a batch', async (t) => {
  const { address } = await startCatalog(t)
  const gw = await startGateway(t, address)
  const acme = await gw.auth('acme')
  const other = await gw.auth('other')
  const lamp = (
    await gw.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: acme,
      payload: { source: 'shop', external_id: 'lamp', title: 'Lamp' },
    })
  ).json()
  const missing = randomUUID()
  const lone = await gw.app.inject({ method: 'GET', url: `/v1/items/${missing}`, headers: acme })
  t.equal(lone.statusCode, 404)

  const [found, notFound] = await together(gw, [
    { method: 'GET', url: `/v1/items/${lamp.id}`, headers: acme },
    { method: 'GET', url: `/v1/items/${missing}`, headers: acme },
  ])
  t.equal(found?.statusCode, 200)
  t.same(problem(notFound as LightMyRequestResponse), problem(lone), 'the same problem, code and detail')
  t.equal(await upstreamCalls(gw, 'BatchGetItems'), 1)

  const [mine, theirs] = await together(gw, [
    { method: 'GET', url: `/v1/items/${lamp.id}`, headers: acme },
    { method: 'GET', url: `/v1/items/${lamp.id}`, headers: other },
  ])
  t.equal(mine?.statusCode, 200)
  t.equal(theirs?.statusCode, 404, "another tenant's read of the same id is its own, and finds nothing")
  t.equal(await upstreamCalls(gw, 'BatchGetItems'), 1, 'each alone in its batch: two GetItems')
})

t.test('a failed batch fails its callers as their GetItems would', async (t) => {
  const fake = await startFakeCatalog(t)
  const gw = await startGateway(t, fake.address, { UPSTREAM_RETRIES: '0', BREAKER_VOLUME: '1000' })
  const acme = await gw.auth('acme')
  await gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status.NOT_FOUND)}`, headers: acme })
  const get = (id: string, headers = {}) => ({ method: 'GET' as const, url: `/v1/items/${id}`, headers: { ...acme, ...headers } })
  const singly = async (ids: string[]) => Promise.all(ids.map(async (id) => problem(await gw.app.inject(get(id)))))

  const faults = [idFailingWith(status.INTERNAL), idFailingWith(status.UNAVAILABLE)]
  const before = fake.calls.BatchGetItems
  const failed = await together(
    gw,
    faults.map((id) => get(id)),
  )
  t.equal(fake.calls.BatchGetItems, before + 1)
  t.same(
    failed.map((res) => [res.statusCode, res.json().code]),
    [
      [500, 'GW_ERR_INTERNAL'],
      [500, 'GW_ERR_INTERNAL'],
    ],
    "the batch's fault is each of its callers', as a GetItem's would be",
  )

  const mixed = [idFailingWith(status.INVALID_ARGUMENT), idFailingWith(status.NOT_FOUND)]
  const refused = await together(
    gw,
    mixed.map((id) => get(id)),
  )
  t.same(refused.map(problem), await singly(mixed), 'a batch refused as invalid: each caller gets its own answer')
  t.same(
    refused.map((res) => res.statusCode),
    [400, 404],
  )

  const [late, patient] = await together(gw, [
    get(SLOW_ID, { 'x-request-timeout-ms': '300' }),
    get(idFailingWith(status.NOT_FOUND)),
  ])
  t.equal(late?.statusCode, 504, 'the short deadline ends its own request')
  t.equal(patient?.statusCode, 404, 'and a caller with time left is asked again alone')
})
