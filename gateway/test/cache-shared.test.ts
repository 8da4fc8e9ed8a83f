// The shared tier in the real Redis, under each gateway's own cache: a replica reads what another
// fetched, events reach it too, and Redis away (never there, or killed mid-run) fails no read.
import { randomUUID } from 'node:crypto'
import type { Server, Socket } from 'node:net'
import { createConnection, createServer } from 'node:net'
import { freePort, pollUntil } from '@catalog/kit/testing'
import { Redis } from 'ioredis'
import t from 'tap'
import { directCatalog, metric, startCachedGateway, startPublishingCatalog } from './helpers/cache.ts'
import { testIdentity } from './helpers/identity.ts'

const REDIS_URL = process.env.TEST_REDIS_URL
if (!REDIS_URL) throw new Error('TEST_REDIS_URL is not set: run the tests through scripts/test.sh, which starts Redis')

/** A TCP proxy to Redis that the test can kill (every connection cut) and start again on its port. */
async function redisProxy(t: { teardown(fn: () => unknown): void }) {
  const target = new URL(REDIS_URL as string)
  const port = await freePort()
  let server: Server | undefined
  const sockets = new Set<Socket>()
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = createConnection(Number(target.port), target.hostname)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('error', () => undefined)
          s.on('close', () => sockets.delete(s))
        }
        client.pipe(upstream).pipe(client)
      })
      server.listen(port, '127.0.0.1', resolve)
    })
  const kill = async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server?.close(resolve))
  }
  await start()
  t.teardown(kill)
  return { url: `redis://127.0.0.1:${port}`, start, kill }
}

t.test('a replica reads from Redis what another fetched, and events keep both fresh', async (t) => {
  const cat = await startPublishingCatalog(t)
  const direct = directCatalog(t, cat.address)
  const identity = await testIdentity()
  const env = { CACHE_SHARED: 'true', CACHE_REDIS_URL: REDIS_URL }
  const [a, b] = await Promise.all([0, 1].map(() => startCachedGateway(t, cat.address, env, { identity })))
  if (!a || !b) throw new Error('two gateways')
  const tenant = `shared-${randomUUID().slice(0, 8)}`
  const auth = await a.auth(tenant)
  const get = (g: typeof a, id: string) => g.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: auth })
  const redis = new Redis(REDIS_URL)
  t.teardown(() => redis.disconnect())

  const item = await direct.create(tenant, randomUUID(), 'Lamp')
  t.equal((await get(a, item.id)).headers['x-cache'], 'miss')
  const key = `cache:item:${tenant}\n${item.id}`
  await pollUntil(() => redis.get(key), Boolean)
  const readsOfB = await b.catalogReads()
  const fromRedis = await get(b, item.id)
  t.equal(fromRedis.statusCode, 200)
  t.equal(fromRedis.headers['x-cache'], 'hit', 'B had never read it')
  t.equal(fromRedis.json<{ title: string }>().title, 'Lamp')
  t.equal(await b.catalogReads(), readsOfB, 'B did not ask the catalog')
  t.equal(metric(await b.metrics(), 'cache_requests_total', { cache: 'items_shared', outcome: 'hit' }), 1)

  await direct.update(tenant, item.id, 'Lamp, brass')
  for (const g of [a, b]) {
    await pollUntil(
      () => get(g, item.id),
      (res) => res.json<{ title: string }>().title === 'Lamp, brass',
    )
  }
  t.pass('both read the new version once its event passed')
  const held = await redis.get(key)
  t.notMatch(held ?? '', /"title":"Lamp"/, 'the old version is not in Redis any more')
  t.same((await a.app.inject({ method: 'GET', url: '/readyz' })).json(), {
    ready: true,
    checks: { cache_invalidation: 'ok', cache_redis: 'ok' },
  })
})

t.test('Redis never there: every read is answered, and readiness and metrics say the tier is away', async (t) => {
  const cat = await startPublishingCatalog(t)
  const gw = await startCachedGateway(t, cat.address, {
    CACHE_SHARED: 'true',
    CACHE_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
  })
  const auth = await gw.auth(`away-${randomUUID().slice(0, 8)}`)
  const created = await gw.app.inject({
    method: 'POST',
    url: '/v1/items',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: { source: 'shop', external_id: 'away-1', title: 'Chair' },
  })
  const { id } = created.json<{ id: string }>()
  for (let i = 0; i < 5; i++) {
    t.equal((await gw.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: auth })).statusCode, 200)
    const missing = await gw.app.inject({ method: 'GET', url: `/v1/items/${randomUUID()}`, headers: auth })
    t.equal(missing.statusCode, 404)
  }
  t.same((await gw.app.inject({ method: 'GET', url: '/readyz' })).json(), {
    ready: true,
    degraded: true,
    checks: { cache_invalidation: 'ok', cache_redis: 'failed' },
  })
  const text = await gw.metrics()
  t.equal(metric(text, 'cache_shared_up'), 0)
  t.ok(metric(text, 'cache_requests_total', { cache: 'items_shared', outcome: 'error' }) > 0)
})

t.test('Redis killed mid-run costs no failed read, and the tier is used again once it is back', async (t) => {
  const cat = await startPublishingCatalog(t)
  const proxy = await redisProxy(t)
  const gw = await startCachedGateway(t, cat.address, { CACHE_SHARED: 'true', CACHE_REDIS_URL: proxy.url })
  const auth = await gw.auth(`killed-${randomUUID().slice(0, 8)}`)
  const ids: string[] = []
  for (let i = 0; i < 20; i++) {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: { source: 'shop', external_id: `killed-${i}`, title: `Item ${i}` },
    })
    ids.push(res.json<{ id: string }>().id)
  }
  const statuses: number[] = []
  // Reads go past this replica's cache (no-cache for half of them) so they reach the shared tier's path too.
  const readAll = async () => {
    for (const [i, id] of ids.entries()) {
      const headers = i % 2 === 0 ? { ...auth, 'cache-control': 'no-cache' } : auth
      statuses.push((await gw.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers })).statusCode)
      statuses.push((await gw.app.inject({ method: 'GET', url: `/v1/items/${randomUUID()}`, headers: auth })).statusCode)
    }
  }
  await readAll()
  await proxy.kill()
  await readAll()
  t.same((await gw.app.inject({ method: 'GET', url: '/readyz' })).json<{ checks: object }>().checks, {
    cache_invalidation: 'ok',
    cache_redis: 'failed',
  })
  t.equal(metric(await gw.metrics(), 'cache_shared_up'), 0)
  await readAll()
  await proxy.start()
  await pollUntil(
    async () => (await gw.app.inject({ method: 'GET', url: '/readyz' })).json<{ checks: Record<string, string> }>(),
    (r) => r.checks.cache_redis === 'ok',
  )
  await readAll()
  t.equal(metric(await gw.metrics(), 'cache_shared_up'), 1, 'the tier is up again')
  t.same(
    [...new Set(statuses)].sort(),
    [200, 404],
    `${statuses.length} reads, each 200 or its 404, none failed while Redis was away`,
  )
})
