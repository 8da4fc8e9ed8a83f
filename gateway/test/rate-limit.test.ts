import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createMetrics } from '@catalog/kit'
import { freePort, silentLogger } from '@catalog/kit/testing'
import Fastify from 'fastify'
import t from 'tap'
import { codes, isGatewayError } from '../src/errors.ts'
import { gcra } from '../src/rate-limit/gcra.ts'
import { registerRateLimit } from '../src/rate-limit/rate-limit-hooks.ts'
import type { RateLimitStore } from '../src/rate-limit/rate-limit-store.ts'
import { memoryStore, redisStore } from '../src/rate-limit/rate-limit-store.ts'

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

t.test('Redis down: fail open lets requests through, fail closed answers 503, quickly; then limits resume', async (t) => {
  const port = await freePort()
  let redis = await startRedis(port)
  t.teardown(() => redis.kill('SIGKILL'))
  const open = redisStore(`redis://127.0.0.1:${port}`, silentLogger(), { prefix: prefix() })
  const closed = redisStore(`redis://127.0.0.1:${port}`, silentLogger(), { prefix: prefix() })
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
  for (let i = 0; i < 5; i++) {
    const started = Date.now()
    const res = await failOpen.inject({ method: 'GET', url: '/items', headers: { 'x-tenant': 'acme' } })
    t.equal(res.statusCode, 200, 'fail open')
    t.ok(Date.now() - started < 1_000, 'without waiting on Redis')
  }
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
