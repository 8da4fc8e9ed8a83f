import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { logged, startServiceProcess, testCerts } from '@catalog/kit/testing'
import t from 'tap'
import { startCatalog } from './helpers/gateway.ts'
import { AUDIENCE, ISSUER, testIdentity } from './helpers/identity.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const REDIS_URL = process.env.TEST_REDIS_URL ?? ''

function env(jwksPath: string, catalogAddress: string): Record<string, string> {
  const certs = join(testCerts().dir, 'platform')
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    AUTH_JWKS_URL: jwksPath,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    CATALOG_ADDR: catalogAddress,
    TLS_CA_FILE: join(certs, 'ca.crt'),
    TLS_CERT_FILE: join(certs, 'gateway.crt'),
    TLS_KEY_FILE: join(certs, 'gateway.key'),
  }
}

t.test('a missing variable stops the start with a message naming it', async (t) => {
  const { AUTH_JWKS_URL: _, ...rest } = env('/x', 'localhost:1')
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

t.test('two gateway processes sharing one Redis enforce one exact tenant budget', async (t) => {
  const { address } = await startCatalog(t)
  const identity = await testIdentity()
  const shared = {
    ...env(identity.jwksPath, address),
    REDIS_URL,
    RATE_LIMIT_TENANT_PER_MINUTE: '20',
    RATE_LIMIT_FAIL_OPEN: 'false',
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
  const codes = await Promise.all(gateways.map((g) => g.stop()))
  t.same(codes, [0, 0], 'both stop cleanly on SIGTERM')
})
