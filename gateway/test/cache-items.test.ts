// The item cache of one gateway in front of a real catalog whose outbox relay publishes to the
// real Kafka: what it answers from memory, what it must still ask the catalog, and what evicts.
import { randomUUID } from 'node:crypto'
import { pollUntil } from '@catalog/kit/testing'
import t from 'tap'
import { directCatalog, metric, startCachedGateway, startPublishingCatalog } from './helpers/cache.ts'

const json = { 'content-type': 'application/json' }

t.test('item cache', async (t) => {
  const cat = await startPublishingCatalog(t)
  const direct = directCatalog(t, cat.address)
  // A long negative TTL, so that only an event can end a cached 404 within a test.
  const gw = await startCachedGateway(t, cat.address, { CACHE_NEGATIVE_TTL_MS: '60000' })
  const tenant = `cache-${randomUUID().slice(0, 8)}`
  const auth = await gw.auth(tenant)
  const get = (id: string, headers: Record<string, string> = {}, as = auth) =>
    gw.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: { ...as, ...headers } })
  const create = async (title: string, extra: Record<string, unknown> = {}) => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { ...auth, ...json },
      payload: { source: 'shop', external_id: randomUUID(), title, ...extra },
    })
    t.equal(res.statusCode, 201)
    return res.json<{ id: string; version: number }>()
  }

  t.test('a miss, then hits that never reach the catalog, If-None-Match a 304 from the cache', async (t) => {
    const { id } = await direct.create(tenant, randomUUID(), 'Lamp')
    const reads = await gw.catalogReads()
    const first = await get(id)
    t.equal(first.statusCode, 200)
    t.equal(first.headers['x-cache'], 'miss')
    const second = await get(id)
    t.equal(second.headers['x-cache'], 'hit')
    t.equal(second.body, first.body, 'the same body')
    t.equal(second.headers.etag, '"1"')
    t.match(second.headers['content-type'], /^application\/json/)
    const notModified = await get(id, { 'if-none-match': 'W/"1"' })
    t.equal(notModified.statusCode, 304)
    t.equal(notModified.headers['x-cache'], 'hit')
    t.equal(await gw.catalogReads(), reads + 1, 'one catalog read for three requests')
  })

  t.test('Cache-Control: no-cache always reaches the catalog', async (t) => {
    const { id } = await create('Chair')
    const reads = await gw.catalogReads()
    for (let i = 0; i < 5; i++) {
      const res = await get(id, { 'cache-control': 'no-cache' })
      t.equal(res.statusCode, 200)
      t.equal(res.headers['x-cache'], 'bypass')
    }
    t.equal(await gw.catalogReads(), reads + 5, 'every one of them asked the catalog')
    t.equal((await get(id)).headers['x-cache'], 'hit', 'and what they read is cached')
  })

  t.test("a write through this gateway is what its next read answers, with no event's wait", async (t) => {
    const { id } = await create('Desk')
    t.equal((await get(id)).headers['x-cache'], 'hit', 'the create filled the cache')
    const put = await gw.app.inject({
      method: 'PUT',
      url: `/v1/items/${id}`,
      headers: { ...auth, ...json, 'if-match': '"1"' },
      payload: { title: 'Desk, oak' },
    })
    t.equal(put.statusCode, 200)
    const read = await get(id)
    t.equal(read.headers['x-cache'], 'hit')
    t.equal(read.json<{ title: string }>().title, 'Desk, oak')
    t.equal(read.headers.etag, '"2"')
    const del = await gw.app.inject({ method: 'DELETE', url: `/v1/items/${id}`, headers: auth })
    t.equal(del.statusCode, 204)
    t.equal((await get(id)).statusCode, 404, 'deleted at once')
  })

  t.test('a write made straight through the catalog is evicted by its event', async (t) => {
    const item = await direct.create(tenant, randomUUID(), 'Shelf')
    t.equal((await get(item.id)).headers['x-cache'], 'miss')
    t.equal((await get(item.id)).json<{ title: string }>().title, 'Shelf')
    await direct.update(tenant, item.id, 'Shelf, pine')
    const fresh = await pollUntil(
      () => get(item.id),
      (res) => res.json<{ title: string }>().title === 'Shelf, pine',
    )
    t.equal(fresh.headers.etag, '"2"')
    t.equal((await get(item.id)).headers['x-cache'], 'hit', 'and cached again')
  })

  t.test('a 404 is cached, and the upsert event of that id ends it', async (t) => {
    const externalId = randomUUID()
    const item = await direct.create(tenant, externalId, 'Stool')
    await direct.remove(tenant, item.id)
    // The create's and the delete's events may each drop the 404 once more as they arrive.
    const cached = await pollUntil(
      () => get(item.id),
      (res) => res.statusCode === 404 && res.headers['x-cache'] === 'hit',
    )
    t.match(cached.json(), { status: 404, code: 'CAT_ERR_NOT_FOUND' }, "the catalog's own 404")
    // Created again under its natural key, the item comes back with its id.
    const back = await direct.create(tenant, externalId, 'Stool again')
    t.equal(back.id, item.id)
    const found = await pollUntil(
      () => get(item.id),
      (res) => res.statusCode === 200,
    )
    t.equal(found.json<{ title: string }>().title, 'Stool again')
  })

  t.test("a tenant never sees another's cached item, whatever the spelling of the id", async (t) => {
    const { id } = await create('Secret')
    t.equal((await get(id)).headers['x-cache'], 'hit')
    const other = await gw.auth(`other-${randomUUID().slice(0, 8)}`)
    for (const forged of [id, id.toUpperCase(), `${id.slice(0, 8).toUpperCase()}${id.slice(8)}`]) {
      for (let i = 0; i < 2; i++) {
        const res = await get(forged, {}, other)
        t.equal(res.statusCode, 404, `${forged}, read ${i + 1}`)
        t.notMatch(res.body, /Secret/)
      }
    }
    const mine = await get(id.toUpperCase())
    t.equal(mine.statusCode, 200, 'its own tenant reads it, in any case')
    t.equal(mine.json<{ title: string }>().title, 'Secret')
  })

  t.test('metrics count hits, misses and bypasses, and the entries and bytes held', async (t) => {
    const text = await gw.metrics()
    t.ok(metric(text, 'cache_requests_total', { cache: 'items', outcome: 'hit' }) > 0)
    t.ok(metric(text, 'cache_requests_total', { cache: 'items', outcome: 'miss' }) > 0)
    t.ok(metric(text, 'cache_requests_total', { cache: 'items', outcome: 'bypass' }) > 0)
    t.ok(metric(text, 'cache_entries', { cache: 'items' }) > 0)
    t.ok(metric(text, 'cache_bytes', { cache: 'items' }) > 0)
    t.equal(metric(text, 'cache_invalidation_stream_up'), 1)
    t.ok(metric(text, 'cache_invalidation_delay_seconds_count') > 0, 'events applied, with their delay')
  })
})

t.test('the cache stays within its byte bound under a stream of large items', async (t) => {
  const cat = await startPublishingCatalog(t)
  const limit = 1024 * 1024
  const gw = await startCachedGateway(t, cat.address, { CACHE_ITEMS_MAX_BYTES: String(limit) })
  const auth = await gw.auth(`large-${randomUUID().slice(0, 8)}`)
  const description = 'x'.repeat(19_000)
  const attributes = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`a${i}`, 'y'.repeat(200)]))
  const ids: string[] = []
  for (let i = 0; i < 60; i++) {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { ...auth, ...json },
      payload: { source: 'shop', external_id: `large-${i}`, title: `Large ${i}`, description, attributes },
    })
    t.equal(res.statusCode, 201)
    ids.push(res.json<{ id: string }>().id)
    const bytes = metric(await gw.metrics(), 'cache_bytes', { cache: 'items' })
    if (bytes > limit) t.fail(`${bytes} bytes held after ${i + 1} items`)
  }
  for (const id of ids) {
    const res = await gw.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: auth })
    t.equal(res.statusCode, 200)
    t.equal(res.json<{ description: string }>().description, description)
  }
  const text = await gw.metrics()
  const bytes = metric(text, 'cache_bytes', { cache: 'items' })
  const entries = metric(text, 'cache_entries', { cache: 'items' })
  t.ok(bytes <= limit, `${bytes} bytes held, within ${limit}`)
  t.ok(entries > 10 && entries < 60, `${entries} of 60 items held`)
})

t.test('while the invalidation stream is down the cache is bypassed, and readiness says degraded', async (t) => {
  const cat = await startPublishingCatalog(t)
  const gw = await startCachedGateway(t, cat.address)
  const auth = await gw.auth(`down-${randomUUID().slice(0, 8)}`)
  const created = await gw.app.inject({
    method: 'POST',
    url: '/v1/items',
    headers: { ...auth, ...json },
    payload: { source: 'shop', external_id: 'down-1', title: 'Cached' },
  })
  const { id } = created.json<{ id: string }>()
  t.equal((await gw.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: auth })).headers['x-cache'], 'hit')
  t.same((await gw.app.inject({ method: 'GET', url: '/readyz' })).json(), { ready: true, checks: { cache_invalidation: 'ok' } })

  await gw.cache.close()
  const reads = await gw.catalogReads()
  const res = await gw.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: auth })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-cache'], 'bypass')
  t.equal(await gw.catalogReads(), reads + 1, 'read from the catalog')
  t.same((await gw.app.inject({ method: 'GET', url: '/readyz' })).json(), {
    ready: true,
    degraded: true,
    checks: { cache_invalidation: 'failed' },
  })
  t.equal(metric(await gw.metrics(), 'cache_invalidation_stream_up'), 0)
})
