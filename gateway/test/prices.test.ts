import { writePriceHistory } from '@catalog/catalog-service/testing'
import type { Pool } from '@catalog/kit'
import type { InjectOptions } from 'fastify'
import t from 'tap'
import { startCatalog, startGateway } from './helpers/gateway.ts'

/*
 * Price history over REST, through the real catalog. The write path stamps a change with the time
 * it is made; these tests need the past, so they write history rows as the write path does.
 */

type Gateway = Awaited<ReturnType<typeof startGateway>>

async function itemWithHistory(
  gw: Gateway,
  pool: Pool,
  tenant: string,
  externalId: string,
  changes: [string, number | null, string?][],
): Promise<string> {
  const headers = await gw.auth(tenant)
  const res = await gw.app.inject({
    method: 'POST',
    url: '/v1/items',
    headers,
    payload: { source: 'shop', external_id: externalId, title: `Item ${externalId}` },
  })
  const { id } = res.json()
  await writePriceHistory(pool, tenant, id, changes)
  return id
}

const HISTORY: [string, number | null, string?][] = [
  ['2024-01-31T23:00:00Z', 1000],
  ['2024-02-29T12:00:00Z', 900],
  ['2024-03-01T00:00:00Z', 950],
  ['2024-03-15T00:00:00Z', 1100, 'USD'],
]

t.test('a window of prices in either order, paged', async (t) => {
  const { address, pool } = await startCatalog(t)
  const gw = await startGateway(t, address)
  const acme = await gw.auth('acme')
  const id = await itemWithHistory(gw, pool, 'acme', 'lamp', HISTORY)
  const get = async (query: string) => {
    const res = await gw.app.inject({ method: 'GET', url: `/v1/items/${id}/prices?${query}`, headers: acme })
    t.equal(res.statusCode, 200, res.body)
    return res.json()
  }
  const first = await get('from=2024-02-01&to=2024-03-15T01:00:00%2B01:00&order=asc&limit=2')
  t.same(first.items, [
    { version: 3, price: { amount_minor: 900, currency: 'EUR' }, changed_at: '2024-02-29T12:00:00.000Z' },
    { version: 4, price: { amount_minor: 950, currency: 'EUR' }, changed_at: '2024-03-01T00:00:00.000Z' },
  ])
  t.equal(first.next_cursor, null, 'to is excluded: the change at exactly 00:00Z is out, and nothing follows')
  const one = await get('from=2024-02-01&order=asc&limit=1')
  const two = await get(`from=2024-02-01&order=asc&limit=1&cursor=${one.next_cursor}`)
  t.same(
    [...one.items, ...two.items].map((p: { version: number }) => p.version),
    [3, 4],
    'a cursor goes on where its page ended',
  )
  const desc = await get('from=2024-02-29')
  t.same(
    desc.items.map((p: { version: number }) => p.version),
    [5, 4, 3],
    'newest first by default; a date is the start of its UTC day',
  )
  const all = await get('')
  t.same(
    all.items.map((p: { version: number }) => p.version),
    [5, 4, 3, 2],
    'no window: the whole history',
  )
})

t.test('a summary in month buckets, a new series when the currency changes', async (t) => {
  const { address, pool } = await startCatalog(t)
  const gw = await startGateway(t, address)
  const acme = await gw.auth('acme')
  const id = await itemWithHistory(gw, pool, 'acme', 'lamp', HISTORY)
  const res = await gw.app.inject({
    method: 'GET',
    url: `/v1/items/${id}/prices/summary?from=2024-01-01&to=2024-05-01&interval=month`,
    headers: acme,
  })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), {
    item_id: id,
    from: '2024-01-01T00:00:00.000Z',
    to: '2024-05-01T00:00:00.000Z',
    interval: 'month',
    current_price: null,
    series: [
      {
        currency: 'EUR',
        min: 900,
        max: 1000,
        buckets: [
          { start: '2024-01-01T00:00:00.000Z', open: 1000, close: 1000, min: 1000, max: 1000, changes: 1 },
          { start: '2024-02-01T00:00:00.000Z', open: 1000, close: 900, min: 900, max: 1000, changes: 1 },
          { start: '2024-03-01T00:00:00.000Z', open: 950, close: 950, min: 950, max: 950, changes: 1 },
        ],
      },
      {
        currency: 'USD',
        min: 1100,
        max: 1100,
        buckets: [
          { start: '2024-03-01T00:00:00.000Z', open: 1100, close: 1100, min: 1100, max: 1100, changes: 1 },
          { start: '2024-04-01T00:00:00.000Z', open: 1100, close: 1100, min: 1100, max: 1100, changes: 0 },
        ],
      },
    ],
  })
  const days = await gw.app.inject({
    method: 'GET',
    url: `/v1/items/${id}/prices/summary?from=2024-02-28T00:00:00Z&to=2024-03-01`,
    headers: acme,
  })
  t.same(
    days.json().series[0].buckets.map((b: { start: string; changes: number }) => [b.start.slice(0, 10), b.changes]),
    [
      ['2024-02-28', 0],
      ['2024-02-29', 1],
    ],
    'days by default; the leap day is a bucket',
  )
})

t.test('the change feed: drops of at least 10%, newest first, paged', async (t) => {
  const { address, pool } = await startCatalog(t)
  const gw = await startGateway(t, address)
  const acme = await gw.auth('acme')
  const lamp = await itemWithHistory(gw, pool, 'acme', 'lamp', [
    ['2024-03-01T00:00:00Z', 1000],
    ['2024-03-02T00:00:00Z', 900],
    ['2024-03-03T00:00:00Z', 950],
  ])
  const desk = await itemWithHistory(gw, pool, 'acme', 'desk', [
    ['2024-03-01T00:00:00Z', 2000],
    ['2024-03-04T00:00:00Z', 1500],
  ])
  await itemWithHistory(gw, pool, 'globex', 'theirs', [
    ['2024-03-01T00:00:00Z', 2000],
    ['2024-03-04T00:00:00Z', 100],
  ])
  const url = '/v1/prices/changes?since=2024-03-01T12:00:00Z&until=2024-03-08&direction=down&min_change_percent=10&limit=1'
  const first = await gw.app.inject({ method: 'GET', url, headers: acme })
  t.equal(first.statusCode, 200, first.body)
  t.same(first.json().items, [
    {
      item_id: desk,
      title: 'Item desk',
      version: 3,
      changed_at: '2024-03-04T00:00:00.000Z',
      old_price: { amount_minor: 2000, currency: 'EUR' },
      new_price: { amount_minor: 1500, currency: 'EUR' },
      change_percent: -25,
    },
  ])
  const second = await gw.app.inject({ method: 'GET', url: `${url}&cursor=${first.json().next_cursor}`, headers: acme })
  t.same(
    second.json().items.map((c: { item_id: string; change_percent: number }) => [c.item_id, c.change_percent]),
    [[lamp, -10]],
  )
  t.equal(second.json().next_cursor, null, "globex's drop is not in acme's feed")
  const rises = await gw.app.inject({
    method: 'GET',
    url: '/v1/prices/changes?since=2024-03-01T12:00:00Z&until=2024-03-08&direction=up',
    headers: acme,
  })
  t.same(
    rises.json().items.map((c: { change_percent: number }) => c.change_percent),
    [5.56],
  )
})

t.test('bad windows and filters are 400 problems naming the query field', async (t) => {
  const { address, pool } = await startCatalog(t)
  const gw = await startGateway(t, address)
  const acme = await gw.auth('acme')
  const id = await itemWithHistory(gw, pool, 'acme', 'lamp', HISTORY)
  const fieldsOf = async (url: string) => {
    const res = await gw.app.inject({ method: 'GET', url, headers: acme } satisfies InjectOptions)
    t.equal(res.statusCode, 400, `${url} -> ${res.body.slice(0, 200)}`)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    return (res.json().errors ?? []).map((e: { field: string }) => e.field)
  }
  const prices = `/v1/items/${id}/prices`
  t.same(await fieldsOf(`${prices}?from=2024-02-30`), ['query.from'], 'no 30th of February')
  t.same(await fieldsOf(`${prices}?from=yesterday`), ['query.from'])
  t.same(await fieldsOf(`${prices}?to=2024-01-01T00:00:00`), ['query.to'], 'an instant needs its offset')
  t.same(await fieldsOf(`${prices}?from=2024-02-01&to=2024-01-01`), ['query.to'], 'the catalog names it')
  t.same(await fieldsOf(`${prices}?order=sideways`), ['query.order'])
  t.same(await fieldsOf(`${prices}?from=0000-01-01`), ['query.from'], 'year 0 is out of range')
  t.same(await fieldsOf(`${prices}/summary`), ['query.from'], 'a summary needs its start')
  t.same(await fieldsOf(`${prices}/summary?from=2024-01-01&interval=year`), ['query.interval'])
  t.same(await fieldsOf(`${prices}/summary?from=2020-01-01&to=2022-01-01&interval=day`), ['query.from'], 'past 366 days')
  t.same(await fieldsOf(`${prices}/summary?from=2014-01-01&to=2024-01-02&interval=month`), ['query.from'], 'past 120 months')
  const feed = '/v1/prices/changes'
  t.same(await fieldsOf(`${feed}?since=2024-01-01&until=2024-06-01`), ['query.since'], 'past 92 days')
  t.same(await fieldsOf(`${feed}?since=2024-02-01&until=2024-01-01`), ['query.until'])
  t.same(await fieldsOf(`${feed}?direction=sideways`), ['query.direction'])
  t.same(await fieldsOf(`${feed}?min_change_percent=-1`), ['query.min_change_percent'])
  t.same(await fieldsOf(`${feed}?currency=eur`), ['query.currency'])
  t.same(await fieldsOf(`${feed}?limit=501`), ['query.limit'])
  t.same(await fieldsOf(`${feed}?cursor=Zm9yZ2Vk`), ['query.cursor'])
})

t.test("another tenant's item is a 404 exactly like an unknown one", async (t) => {
  const { address, pool } = await startCatalog(t)
  const gw = await startGateway(t, address)
  const globex = await gw.auth('globex')
  const theirs = await itemWithHistory(gw, pool, 'acme', 'lamp', HISTORY)
  const unknown = '00000000-0000-4000-8000-000000000000'
  for (const path of ['prices?from=2024-01-01', 'prices?order=asc', 'prices/summary?from=2024-01-01&to=2024-02-01']) {
    const answer = async (id: string) => {
      const res = await gw.app.inject({ method: 'GET', url: `/v1/items/${id}/${path}`, headers: globex })
      const { request_id: _r, instance: _i, ...body } = res.json()
      return { status: res.statusCode, ...body, detail: body.detail.replace(id, '<id>') }
    }
    const a = await answer(theirs)
    t.equal(a.status, 404, path)
    t.same(a, await answer(unknown), `${path}: the same problem as an unknown id`)
  }
})
