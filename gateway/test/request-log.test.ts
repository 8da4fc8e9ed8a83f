import { isDeepStrictEqual } from 'node:util'
import { createLogger } from '@catalog/kit'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { idFailingWith, LATE_ID, LATE_MS, startFakeCatalog } from './helpers/fake-catalog.ts'
import { startGateway } from './helpers/gateway.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

/** The value of the series `name` with exactly these labels (and the service's `app`) in a Prometheus exposition. */
function seriesValue(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line)
    if (m?.[1] !== name) continue
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]))
    if (isDeepStrictEqual(found, { ...labels, app: 'gateway' })) return Number(m[3])
  }
  return undefined
}

/** A gateway in front of the fake catalog whose log lines at `level` and above the test can read. */
async function loggedGateway(t: Tap, level: string, env: Record<string, string> = {}) {
  const fake = await startFakeCatalog(t)
  const lines: Record<string, unknown>[] = []
  const log = createLogger({ name: 'gateway', level }, { write: (line: string) => lines.push(JSON.parse(line)) })
  const gw = await startGateway(t, fake.address, { UPSTREAM_RETRIES: '0', ...env }, { log })
  const get = async (id: string) =>
    gw.app.inject({ method: 'GET', url: `/v1/items/${id}`, headers: await gw.auth('acme', 'items:read') })
  return { gw, get, requestLines: () => lines.filter((l) => l.msg === 'request') }
}

t.test('at info, an answered request writes no line and a 5xx does, with every field; each is counted', async (t) => {
  const { gw, get, requestLines } = await loggedGateway(t, 'info')
  t.equal((await get(idFailingWith(status.NOT_FOUND))).statusCode, 404)
  t.same(requestLines(), [], 'a 404 is not logged at info')
  t.equal((await get(idFailingWith(status.INTERNAL))).statusCode, 500)
  t.match(requestLines(), [
    {
      level: 'info',
      method: 'GET',
      route: '/v1/items/:id',
      status: 500,
      ms: Number,
      tenant: 'acme',
      trace_id: /^[0-9a-f]{32}$/,
      reqId: String,
    },
  ])
  await gw.app.inject({ method: 'GET', url: '/healthz' })
  t.equal(requestLines().length, 1, 'probes are not logged per request')

  const metrics = await gw.metrics()
  const series = (name: string, labels: Record<string, string>) => seriesValue(metrics, name, labels)
  const items = { method: 'GET', route: '/v1/items/:id' }
  t.equal(series('http_server_requests_total', { ...items, status: '404' }), 1, 'yet every request is counted')
  t.equal(series('http_server_requests_total', { ...items, status: '500' }), 1)
  t.equal(series('http_server_requests_total', { method: 'GET', route: '/healthz', status: '200' }), 1)
  t.equal(series('http_server_request_duration_seconds_count', items), 2, 'and timed')
})

t.test('a request slower than LOG_SLOW_REQUEST_MS is logged at info', async (t) => {
  const { get, requestLines } = await loggedGateway(t, 'info', { LOG_SLOW_REQUEST_MS: String(LATE_MS / 2) })
  t.equal((await get(LATE_ID)).statusCode, 404)
  t.match(requestLines(), [{ level: 'info', route: '/v1/items/:id', status: 404, tenant: 'acme' }])
  t.ok(Number(requestLines()[0]?.ms) >= LATE_MS / 2)
})

t.test('at debug, every request has its line', async (t) => {
  const { gw, get, requestLines } = await loggedGateway(t, 'debug')
  t.equal((await get(idFailingWith(status.NOT_FOUND))).statusCode, 404)
  await gw.app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'x-request-id': 'lost-1' } })
  await gw.app.inject({ method: 'GET', url: '/healthz' })
  t.match(requestLines(), [
    {
      level: 'debug',
      method: 'GET',
      route: '/v1/items/:id',
      status: 404,
      tenant: 'acme',
      trace_id: /^[0-9a-f]{32}$/,
      reqId: String,
    },
    { level: 'debug', method: 'GET', route: 'unmatched', status: 404, tenant: undefined, reqId: 'lost-1' },
  ])
  t.equal(requestLines().length, 2, "a probe's route logs at warn only, even then")
})
