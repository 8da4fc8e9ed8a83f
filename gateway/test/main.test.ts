import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { logged, startServiceProcess } from '@catalog/kit/testing'
import t from 'tap'
import { gatewayEnv, startCatalog } from './helpers/gateway.ts'
import { testIdentity } from './helpers/identity.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const REDIS_URL = process.env.TEST_REDIS_URL ?? ''

t.test('a missing variable stops the start with a message naming it', async (t) => {
  const { AUTH_JWKS_URL: _, ...rest } = gatewayEnv('/x', 'localhost:1')
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...rest },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(stderr, /gateway failed to start: invalid configuration: .*AUTH_JWKS_URL/)
})

t.test('two gateway processes sharing one Redis enforce one exact tenant budget; metrics on the ops port', async (t) => {
  const { address } = await startCatalog(t)
  const identity = await testIdentity()
  const shared = {
    ...gatewayEnv(identity.jwksPath, address),
    REDIS_URL,
    RATE_LIMIT_TENANT_PER_MINUTE: '20',
    RATE_LIMIT_FAIL_OPEN: 'false',
    METRICS_PORT: '0',
  }
  const gateways = await Promise.all([0, 1].map(() => startServiceProcess(MAIN, shared, { readyMessage: 'gateway ready' })))
  t.teardown(() => {
    for (const g of gateways) g.child.kill('SIGKILL')
  })
  const ports = gateways.map((g) => logged<number>(g.lines, 'port'))
  const token = await identity.token({ tenant: `shared-${Date.now()}`, scope: 'items:read' })
  const statuses: number[] = []
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`http://127.0.0.1:${ports[i % 2]}/v1/items/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${token}` },
    })
    statuses.push(res.status)
    await res.arrayBuffer()
  }
  t.equal(statuses.filter((s) => s === 404).length, 20, 'exactly the budget got through, across both')
  t.equal(statuses.filter((s) => s === 429).length, 30)
  const opsPort = logged<number>(gateways[0]?.lines ?? [], 'metricsPort')
  t.equal((await fetch(`http://127.0.0.1:${ports[0]}/metrics`)).status, 404, 'not on the public port')
  t.same(await (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).json(), {
    ready: true,
    checks: { catalog: 'ok', jwks: 'ok', jwks_refresh: 'ok', redis: 'ok' },
  })
  const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text()
  t.match(
    metrics,
    /http_server_requests_total\{(?=[^}]*route="\/v1\/items\/:id")(?=[^}]*status="404")(?=[^}]*app="gateway")[^}]*\} \d+/,
    'requests by route and status',
  )
  t.match(metrics, /http_server_request_duration_seconds_bucket\{(?=[^}]*le="0.05")(?=[^}]*route="\/v1\/items\/:id")[^}]*\} \d+/)
  t.match(metrics, /gateway_rate_limit_decisions_total\{(?=[^}]*dimension="tenant")(?=[^}]*outcome="[a-z]+")[^}]*\} \d+/)
  t.match(metrics, /tls_certificate_expiry_timestamp_seconds\{app="gateway"\} \d{10}/)
  const codes = await Promise.all(gateways.map((g) => g.stop()))
  t.same(codes, [0, 0], 'both stop cleanly on SIGTERM')
  t.same(
    gateways.map((g) => g.stderr()),
    ['', ''],
    'nothing on stderr: no warning from Fastify, Kafka or Node beside the JSON log',
  )
})
