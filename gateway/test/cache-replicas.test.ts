// Two gateway processes, each with its item cache and its own group on catalog.item.v1, in front
// of one real catalog publishing to the real Kafka: a write through one is read fresh through the
// other once its event has passed, a delete is a 404 through both, and a bulk load of 5,000 items
// (the catalog's ingest applier, as a bulk upload or a file drop reaches it) evicts every one it changed.
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { logged, pollUntil, startServiceProcess } from '@catalog/kit/testing'
import t from 'tap'
import { bulkLoad, directCatalog, gatewayKafkaEnv, metric, startPublishingCatalog } from './helpers/cache.ts'
import { gatewayEnv } from './helpers/gateway.ts'
import { testIdentity } from './helpers/identity.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

t.test('two gateway processes', async (t) => {
  const cat = await startPublishingCatalog(t)
  const identity = await testIdentity()
  const env = {
    ...gatewayEnv(identity.jwksPath, cat.address),
    ...(await gatewayKafkaEnv()),
    CACHE_ITEMS: 'true',
    // The bulk case reads its 5,000 items through each replica several times.
    RATE_LIMIT_TENANT_PER_MINUTE: '1000000',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
  }
  const gateways = await Promise.all(
    [0, 1].map(() => startServiceProcess(MAIN, env, { readyMessage: 'gateway ready', timeoutMs: 60_000 })),
  )
  t.teardown(() => Promise.all(gateways.map((g) => g.stop())))
  const [a, b] = gateways.map((g) => ({
    port: logged<number>(g.lines, 'port'),
    ops: logged<number>(g.lines, 'metricsPort'),
  })) as [{ port: number; ops: number }, { port: number; ops: number }]
  // Each serves from its cache once its invalidation stream is live.
  for (const g of [a, b]) {
    await pollUntil(
      async () => (await (await fetch(`http://127.0.0.1:${g.ops}/readyz`)).json()) as { checks: Record<string, string> },
      (r) => r.checks.cache_invalidation === 'ok',
      60_000,
    )
  }
  const tenant = `replicas-${randomUUID().slice(0, 8)}`
  const headers = { authorization: `Bearer ${await identity.token({ tenant, scope: 'items:read items:write' })}` }
  const call = async (g: { port: number }, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${g.port}${path}`, {
      method,
      headers: { ...headers, ...extra, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    return { status: res.status, cache: res.headers.get('x-cache'), etag: res.headers.get('etag'), text }
  }

  t.test('a write through A is read fresh through B, which had the item cached', async (t) => {
    const created = await call(a, 'POST', '/v1/items', { source: 'shop', external_id: randomUUID(), title: 'Lamp' })
    t.equal(created.status, 201)
    const { id } = JSON.parse(created.text) as { id: string }
    t.equal((await call(b, 'GET', `/v1/items/${id}`)).cache, 'miss')
    const cached = await call(b, 'GET', `/v1/items/${id}`)
    t.equal(cached.cache, 'hit', 'the event of the create, read meanwhile or after, leaves v1 cached')
    t.equal(cached.etag, '"1"')

    const written = Date.now()
    const put = await call(a, 'PUT', `/v1/items/${id}`, { title: 'Lamp, brass' }, { 'if-match': '"1"' })
    t.equal(put.status, 200)
    t.equal((await call(a, 'GET', `/v1/items/${id}`)).etag, '"2"', 'A answers its own write at once')
    const fresh = await pollUntil(
      () => call(b, 'GET', `/v1/items/${id}`),
      (r) => r.etag === '"2"',
    )
    t.comment(`B read the write ${Date.now() - written} ms after A answered it`)
    t.match(JSON.parse(fresh.text), { title: 'Lamp, brass', version: 2 })
    t.equal((await call(b, 'GET', `/v1/items/${id}`)).cache, 'hit', 'and B caches the new version')
  })

  t.test('a delete through A is a 404 through both', async (t) => {
    const created = await call(a, 'POST', '/v1/items', { source: 'shop', external_id: randomUUID(), title: 'Chair' })
    const { id } = JSON.parse(created.text) as { id: string }
    await call(b, 'GET', `/v1/items/${id}`)
    t.equal((await call(b, 'GET', `/v1/items/${id}`)).cache, 'hit')
    t.equal((await call(a, 'DELETE', `/v1/items/${id}`)).status, 204)
    t.equal((await call(a, 'GET', `/v1/items/${id}`)).status, 404, 'through A at once')
    await pollUntil(
      () => call(b, 'GET', `/v1/items/${id}`),
      (r) => r.status === 404,
    )
    t.pass('through B once the event has passed')
  })

  t.test('writes straight through the catalog, a burst of them, evict every item they change', async (t) => {
    const direct = directCatalog(t, cat.address)
    const items = await Promise.all(Array.from({ length: 200 }, (_, i) => direct.create(tenant, `burst-${i}`, `Item ${i}`)))
    for (const g of [a, b]) for (const item of items) await call(g, 'GET', `/v1/items/${item.id}`)
    t.equal((await call(b, 'GET', `/v1/items/${items[0]?.id}`)).cache, 'hit')
    await Promise.all(items.map((item, i) => direct.update(tenant, item.id, `Item ${i}, changed`)))
    for (const g of [a, b]) {
      for (const item of items) {
        await pollUntil(
          () => call(g, 'GET', `/v1/items/${item.id}`),
          (r) => r.etag === '"2"',
        )
      }
    }
    t.pass('both answer every item at its new version')
    const text = await (await fetch(`http://127.0.0.1:${b.ops}/metrics`)).text()
    t.ok(metric(text, 'cache_invalidations_total', { cache: 'items', cause: 'event' }) >= 200, 'evicted by events')
  })

  t.test('a bulk load of 5,000 items evicts every cached one it changed, in both', async (t) => {
    const COUNT = 5_000
    const load = await bulkLoad(t, cat.pool)
    const bulkTenant = `${tenant}-bulk`
    const bulkHeaders = {
      authorization: `Bearer ${await identity.token({ tenant: bulkTenant, scope: 'items:read items:write' })}`,
    }
    const externalIds = Array.from({ length: COUNT }, (_, i) => `bulk-${i}`)
    await load(
      bulkTenant,
      externalIds.map((id, i) => ({ externalId: id, title: `Bulk ${i}` })),
    )
    const ids = await load.ids(bulkTenant, externalIds)
    t.equal(ids.length, COUNT, 'the first load made every item')
    /** Reads every id through `g`, 50 at a time; the versions (ETags) and X-Cache seen. */
    const readAll = async (g: { port: number }) => {
      const seen: { etag: string | null; cache: string | null }[] = []
      for (let from = 0; from < ids.length; from += 50)
        seen.push(
          ...(await Promise.all(
            ids.slice(from, from + 50).map(async (id) => {
              const res = await fetch(`http://127.0.0.1:${g.port}/v1/items/${id}`, { headers: bulkHeaders })
              await res.arrayBuffer()
              return { etag: res.headers.get('etag'), cache: res.headers.get('x-cache') }
            }),
          )),
        )
      return seen
    }
    // Once the first load's events have passed, every item is cached at version 1 in both.
    for (const g of [a, b])
      await pollUntil(
        () => readAll(g),
        (seen) => seen.every((r) => r.etag === '"1"' && r.cache === 'hit'),
        60_000,
      )
    t.pass('both hold all 5,000 at version 1')

    await load(
      bulkTenant,
      externalIds.map((id, i) => ({ externalId: id, title: `Bulk ${i}, changed` })),
    )
    for (const g of [a, b]) {
      const seen = await pollUntil(
        () => readAll(g),
        (seen) => seen.every((r) => r.etag === '"2"'),
        60_000,
      )
      t.equal(seen.filter((r) => r.etag === '"2"').length, COUNT, 'every item at the version the second load made')
    }
  })
})
