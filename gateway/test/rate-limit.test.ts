import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createMetrics } from '@catalog/kit'
import { freePort, pollUntil, silentLogger } from '@catalog/kit/testing'
import Fastify from 'fastify'
import t from 'tap'
import { codes, isGatewayError } from '../src/errors.ts'
import { gcra } from '../src/rate-limit/gcra.ts'
import { registerRateLimit } from '../src/rate-limit/rate-limit-hooks.ts'
import type { RateLimitStore } from '../src/rate-limit/rate-limit-store.ts'
import { memoryStore, redisStore } from '../src/rate-limit/rate-limit-store.ts'
import type { RunningGateway } from './helpers/gateway.ts'
import { startCatalog, startGateway } from './helpers/gateway.ts'

const REDIS_URL = process.env.TEST_REDIS_URL
if (!REDIS_URL) throw new Error('TEST_REDIS_URL is not set: run the tests through scripts/test.sh, which starts Redis')
const prefix = () => `test:${Math.random().toString(36).slice(2)}:`

t.test('GCRA admits the burst, then one request per interval, never twice the limit at a boundary', async (t) => {
  const policy = { limit: 5, windowMs: 1_000 }
  let tat: number | undefined
  const at = (now: number) => {
    const r = gcra(now, tat, policy)
    tat = r.tat
    return r.decision
  }
  const burst = [0, 0, 0, 0, 0].map((_, i) => at(1_000 + i))
  t.same(
    burst.map((d) => [d.allowed, d.remaining]),
    [
      [true, 4],
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
    ],
  )
  const refused = at(1_005)
  t.equal(refused.allowed, false)
  t.ok(refused.retryAfterMs > 150 && refused.retryAfterMs <= 200, `retry after ${refused.retryAfterMs} ms`)
  t.equal(at(1_200).allowed, true, 'one interval (200 ms) later, one more')
  t.equal(at(1_201).allowed, false, 'and not two')
  t.equal(at(2_000).allowed, true, 'a window after the burst, a request passes')
})

t.test('the memory store stays bounded under a flood of distinct keys', async (t) => {
  const store = memoryStore(1_000) as RateLimitStore & { size: number }
  for (let i = 0; i < 5_000; i++) await store.take(`ip:${i}`, { limit: 10, windowMs: 60_000 })
  t.ok(store.size <= 1_000, `${store.size} keys kept`)
})

t.test('two replicas sharing one Redis admit exactly the limit between them', async (t) => {
  const p = prefix()
  const a = redisStore(REDIS_URL, silentLogger(), { prefix: p })
  const b = redisStore(REDIS_URL, silentLogger(), { prefix: p })
  t.teardown(async () => {
    await a.close()
    await b.close()
  })
  await waitReady(a)
  await waitReady(b)
  const policy = { limit: 50, windowMs: 60_000 }
  const results = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).take('tenant:acme:GET /x', policy)))
  t.equal(results.filter((r) => r.allowed).length, 50)
})

function app(store: RateLimitStore, failOpen = true) {
  const server = Fastify()
  server.setErrorHandler((err, _req, reply) => {
    if (isGatewayError(err)) return reply.code(err.statusCode).headers(err.headers).send({ code: err.code })
    return reply.code(500).send({ code: 'internal' })
  })
  registerRateLimit(server, {
    store,
    failOpen,
    log: silentLogger(),
    metrics: createMetrics({ service: 'test', defaultMetrics: false }),
    defaults: { ip: { limit: 1_000, windowMs: 60_000 }, tenant: { limit: 3, windowMs: 60_000 } },
    tenantOf: (req) => req.headers['x-tenant'] as string | undefined,
  })
  server.get('/items', async () => ({ ok: true }))
  server.get('/strict', { config: { rateLimit: { ip: { limit: 1, windowMs: 60_000 }, tenant: false } } }, async () => ({
    ok: true,
  }))
  return server
}

t.test('headers count down, then 429 with Retry-After; budgets are per tenant, per route', async (t) => {
  const store = redisStore(REDIS_URL, silentLogger(), { prefix: prefix() })
  t.teardown(() => store.close())
  await waitReady(store)
  const server = app(store)
  const get = (url: string, tenant = 'acme') => server.inject({ method: 'GET', url, headers: { 'x-tenant': tenant } })
  const seen = []
  for (let i = 0; i < 3; i++) {
    const res = await get('/items')
    t.equal(res.statusCode, 200)
    seen.push(res.headers['ratelimit-remaining'])
  }
  t.same(seen, ['2', '1', '0'])
  const limited = await get('/items')
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, codes.rateLimited)
  t.ok(Number(limited.headers['retry-after']) >= 1)
  t.equal(limited.headers.ratelimit, '"tenant";r=0;t=60')
  t.equal(limited.headers['ratelimit-policy'], '"tenant";q=3;w=60')
  t.equal((await get('/items', 'other')).statusCode, 200, 'another tenant has its own budget')
  t.equal((await get('/strict')).statusCode, 200, 'a route with its own policy')
  t.equal((await get('/strict', 'other')).statusCode, 429, 'whose IP budget of 1 is spent, whatever the tenant')
})

t.test('the memory store, which decides without a promise, gives the same headers and 429s', async (t) => {
  const server = app(memoryStore())
  const get = (url: string, tenant = 'acme') => server.inject({ method: 'GET', url, headers: { 'x-tenant': tenant } })
  const seen = []
  for (let i = 0; i < 3; i++) seen.push((await get('/items')).headers['ratelimit-remaining'])
  t.same(seen, ['2', '1', '0'], 'the tenant budget, the closest to running out, is the one shown')
  const limited = await get('/items')
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers.ratelimit, '"tenant";r=0;t=60')
  t.ok(Number(limited.headers['retry-after']) >= 1)
  const other = await get('/items', 'other')
  t.equal(other.statusCode, 200)
  t.equal(other.headers['ratelimit-policy'], '"tenant";q=3;w=60')
  const strict = await get('/strict')
  t.equal(strict.headers['ratelimit-policy'], '"ip";q=1;w=60', 'a route with only an IP budget shows that one')
  t.equal((await get('/strict', 'other')).statusCode, 429)
})

// A decision that waited on Redis would not come before this test's own timeout, and it would fail.
t.test(
  'Redis down: fail open limits per replica, fail closed answers 503, quickly; then limits resume',
  { timeout: 60_000 },
  async (t) => {
    const port = await freePort()
    let redis = await startRedis(port)
    t.teardown(() => redis.kill('SIGKILL'))
    // Commands would time out only after ten minutes, long past this test's timeout.
    const store = () => redisStore(`redis://127.0.0.1:${port}`, silentLogger(), { prefix: prefix(), commandTimeoutMs: 600_000 })
    const open = store()
    const closed = store()
    t.teardown(async () => {
      await open.close()
      await closed.close()
    })
    await waitReady(open)
    await waitReady(closed)
    const failOpen = app(open, true)
    const failClosed = app(closed, false)
    redis.kill('SIGKILL')
    await once(redis, 'exit')
    const opened: number[] = []
    for (let i = 0; i < 5; i++) {
      opened.push((await failOpen.inject({ method: 'GET', url: '/items', headers: { 'x-tenant': 'acme' } })).statusCode)
    }
    t.same(opened, [200, 200, 200, 429, 429], 'fail open: the tenant budget of 3 still holds, in this replica')
    const refused = await failClosed.inject({ method: 'GET', url: '/items', headers: { 'x-tenant': 'acme' } })
    t.equal(refused.statusCode, 503, 'fail closed')
    t.equal(refused.json().code, codes.rateLimitUnavailable)
    t.equal(refused.headers['retry-after'], '1')

    redis = await startRedis(port)
    await waitReady(closed)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await failClosed.inject({ method: 'GET', url: '/items', headers: { 'x-tenant': 'acme' } })).statusCode)
    t.same(statuses, [200, 200, 200, 429], 'limits apply again once Redis is back')
  },
)

const catalog = startCatalog(t)

/** A request without a token: the IP budget is taken before authentication, so 401 while it lasts, then 429. */
async function fromAddress(gw: RunningGateway, remoteAddress: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await gw.app.inject({
    method: 'GET',
    url: '/v1/items/00000000-0000-4000-8000-000000000000',
    remoteAddress,
    headers,
  })
  return res.statusCode
}

t.test('only a peer in TRUST_PROXY_CIDRS names the client in X-Forwarded-For', async (t) => {
  const gw = await startGateway(t, (await catalog).address, {
    TRUST_PROXY_CIDRS: '10.0.0.0/8, fd00::/8',
    RATE_LIMIT_IP_PER_MINUTE: '1',
  })
  const viaProxy = (client: string) => fromAddress(gw, '10.1.2.3', { 'x-forwarded-for': `198.51.100.99, ${client}` })
  t.equal(await viaProxy('203.0.113.1'), 401, 'a client behind the proxy')
  t.equal(await viaProxy('203.0.113.2'), 401, 'another one, with a budget of its own')
  t.equal(await viaProxy('203.0.113.1'), 429, 'the first again: its budget is spent')
  const direct = (claimed: string) => fromAddress(gw, '192.0.2.7', { 'x-forwarded-for': claimed })
  t.equal(await direct('203.0.113.50'), 401)
  t.equal(await direct('203.0.113.51'), 429, 'a peer outside the ranges names nobody: it is the client, whatever it claims')
})

t.test('TRUST_PROXY_HOPS or a range that is not one stops the start, saying what to set', async (t) => {
  const { address } = await catalog
  await t.rejects(startGateway(t, address, { TRUST_PROXY_HOPS: '1' }), /TRUST_PROXY_HOPS is no longer read.*TRUST_PROXY_CIDRS/)
  await t.rejects(
    startGateway(t, address, { TRUST_PROXY_CIDRS: '10.0.0.0/8,10.0.0.0/33,proxy.local' }),
    /TRUST_PROXY_CIDRS: not an address or a CIDR range: 10\.0\.0\.0\/33, proxy\.local$/,
  )
  await t.rejects(
    startGateway(t, address, { TRUST_PROXY_CIDRS: '10.0.0.0/8,0.0.0.0/0,::/0,128.0.0.0/1' }),
    /TRUST_PROXY_CIDRS: wider than \/8, so anyone in it could name any client: 0\.0\.0\.0\/0, ::\/0, 128\.0\.0\.0\/1$/,
    'a range that trusts much of the internet is refused, not crashed on',
  )
})

t.test('an IPv6 client is its /64, and an IPv4-mapped address the IPv4 client it maps', async (t) => {
  const gw = await startGateway(t, (await catalog).address, { RATE_LIMIT_IP_PER_MINUTE: '1' })
  t.equal(await fromAddress(gw, '2001:db8:1:2::1'), 401)
  t.equal(await fromAddress(gw, '2001:db8:1:2:ffff:ffff:ffff:fffe'), 429, 'another address of the /64 shares its budget')
  t.equal(await fromAddress(gw, '2001:db8:1:3::1'), 401, 'the next /64 is another client')
  t.equal(await fromAddress(gw, '::ffff:192.0.2.1'), 401)
  t.equal(await fromAddress(gw, '192.0.2.1'), 429, 'the IPv4 client behind the mapped address')
})

t.test('two gateways sharing Redis share the budget of an IPv6 /64', async (t) => {
  const { address } = await catalog
  const env = { REDIS_URL, RATE_LIMIT_IP_PER_MINUTE: '1' }
  const [a, b] = [await startGateway(t, address, env), await startGateway(t, address, env)]
  // Both connected to Redis: until then a replica limits on its own, as it should without Redis.
  for (const gw of [a, b])
    await pollUntil(
      async () => (await gw.app.inject({ method: 'GET', url: '/readyz' })).json().checks.redis,
      (redis) => redis === 'ok',
      10_000,
    )
  // A /64 of its own per run: budgets in the shared Redis outlive the test by a minute.
  const net = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`
  const statuses: number[] = []
  for (let i = 0; i < 5 && statuses.at(-1) !== 401; i++) statuses.push(await fromAddress(a, `${net}::1`))
  t.equal(statuses.at(-1), 401, 'once Redis answers, the first request of the /64 passes')
  t.equal(await fromAddress(b, `${net}:aaaa:bbbb:cccc:dddd`), 429, 'and the other gateway refuses the next')
  t.match(await b.metrics(), /gateway_rate_limit_decisions_total\{(?=[^}]*outcome="limited")(?=[^}]*store="redis")[^}]*\} 1/)
})

t.test('Redis away: each replica limits on its own, readiness says degraded, the metrics say fallback', async (t) => {
  const nobody = await freePort()
  const gw = await startGateway(t, (await catalog).address, {
    REDIS_URL: `redis://127.0.0.1:${nobody}`,
    RATE_LIMIT_IP_PER_MINUTE: '2',
  })
  const statuses = [await fromAddress(gw, '192.0.2.9'), await fromAddress(gw, '192.0.2.9'), await fromAddress(gw, '192.0.2.9')]
  t.same(statuses, [401, 401, 429], 'the IP budget of 2 holds without Redis')
  const ready = await gw.app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200, 'still ready: leaving the load balancer would not bring Redis back')
  t.match(ready.json(), { ready: true, degraded: true })
  t.not(ready.json().checks.redis, 'ok')
  t.match(await gw.metrics(), /gateway_rate_limit_decisions_total\{(?=[^}]*outcome="limited")(?=[^}]*store="fallback")[^}]*\} 1/)
  t.match(await gw.metrics(), /gateway_rate_limit_store_up\{[^}]*\} 0/)
})

async function waitReady(store: RateLimitStore): Promise<void> {
  const end = Date.now() + 10_000
  while (Date.now() < end) {
    try {
      await store.take('probe', { limit: 1_000_000, windowMs: 1_000 })
      return
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  throw new Error('redis not ready')
}

async function startRedis(port: number) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  return child
}
