import { status } from '@grpc/grpc-js'
import t from 'tap'
import { idFailingWith, SECRET, SLOW_ID, startFakeCatalog } from './helpers/fake-catalog.ts'
import { startGateway } from './helpers/gateway.ts'

const item = { source: 's', external_id: 'e', title: 't' }

t.test('every gRPC status maps to its HTTP status, and no backend message leaks from a 5xx', async (t) => {
  const fake = await startFakeCatalog(t)
  const gw = await startGateway(t, fake.address, { BREAKER_VOLUME: '1000', UPSTREAM_RETRIES: '0' })
  const acme = await gw.auth('acme')
  const expected: [keyof typeof status, number][] = [
    ['CANCELLED', 499],
    ['UNKNOWN', 500],
    ['INVALID_ARGUMENT', 400],
    ['DEADLINE_EXCEEDED', 504],
    ['NOT_FOUND', 404],
    ['ALREADY_EXISTS', 409],
    ['PERMISSION_DENIED', 403],
    ['RESOURCE_EXHAUSTED', 429],
    ['FAILED_PRECONDITION', 400],
    ['ABORTED', 409],
    ['OUT_OF_RANGE', 400],
    ['UNIMPLEMENTED', 501],
    ['INTERNAL', 500],
    ['UNAVAILABLE', 503],
    ['DATA_LOSS', 500],
    ['UNAUTHENTICATED', 401],
  ]
  for (const [name, http] of expected) {
    const res = await gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status[name])}`, headers: acme })
    t.equal(res.statusCode, http, `${name} -> ${http}`)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.notMatch(res.body, /hunter2/, `${name} leaks nothing`)
  }
  t.ok(SECRET)
})

// The gateway's own deadline is far past this test's timeout: only the client's can end the call in time.
t.test('a call past its deadline answers 504', { timeout: 30_000 }, async (t) => {
  const fake = await startFakeCatalog(t)
  const gw = await startGateway(t, fake.address, { REQUEST_TIMEOUT_MS: '120000' })
  const res = await gw.app.inject({
    method: 'GET',
    url: `/v1/items/${SLOW_ID}`,
    headers: { ...(await gw.auth('acme')), 'x-request-timeout-ms': '300' },
  })
  t.equal(res.statusCode, 504, 'the deadline the client asked for was kept')
  t.equal(res.json().code, 'GW_ERR_UPSTREAM_TIMEOUT')
})

t.test('reads are retried on UNAVAILABLE, writes never', async (t) => {
  const fake = await startFakeCatalog(t)
  const gw = await startGateway(t, fake.address, { UPSTREAM_RETRIES: '2', BREAKER_VOLUME: '1000' })
  const acme = await gw.auth('acme')
  const read = await gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status.UNAVAILABLE)}`, headers: acme })
  t.equal(read.statusCode, 503)
  t.equal(read.headers['retry-after'], '1')
  t.equal(fake.calls.GetItem, 3, 'one call and two retries')
  const notFound = await gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status.NOT_FOUND)}`, headers: acme })
  t.equal(notFound.statusCode, 404)
  t.equal(fake.calls.GetItem, 4, 'other statuses are not retried')
  const write = await gw.app.inject({ method: 'POST', url: '/v1/items', headers: acme, payload: item })
  t.equal(write.statusCode, 503)
  t.equal(fake.calls.CreateItem, 1, 'a write that may have happened is not repeated')
})

t.test('the circuit opens on backend faults and answers 503 with Retry-After at once', async (t) => {
  const fake = await startFakeCatalog(t)
  const gw = await startGateway(t, fake.address, { UPSTREAM_RETRIES: '0', BREAKER_VOLUME: '5', BREAKER_RESET_MS: '60000' })
  const acme = await gw.auth('acme')
  for (let i = 0; i < 5; i++) {
    await gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status.NOT_FOUND)}`, headers: acme })
  }
  const stillClosed = await gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status.NOT_FOUND)}`, headers: acme })
  t.equal(stillClosed.statusCode, 404, 'answers such as NOT_FOUND never open the circuit')
  // Faults must outnumber the answers above for the error ratio to pass 50%.
  for (let i = 0; i < 10; i++) {
    await gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status.INTERNAL)}`, headers: acme })
  }
  const before = fake.calls.GetItem
  const open = await gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status.NOT_FOUND)}`, headers: acme })
  t.equal(open.statusCode, 503)
  t.equal(open.json().code, 'GW_ERR_CIRCUIT_OPEN')
  t.equal(open.headers['retry-after'], '60')
  t.equal(fake.calls.GetItem, before, 'an open circuit does not call the backend')
})

t.test('deadlines a client chooses never open the circuit for everyone; the gateway’s own do', async (t) => {
  const fake = await startFakeCatalog(t)
  const env = {
    UPSTREAM_RETRIES: '0',
    BREAKER_VOLUME: '5',
    BREAKER_RESET_MS: '60000',
    REQUEST_TIMEOUT_MS: '400',
    REQUEST_TIMEOUT_MIN_MS: '100',
  }
  const slow = (gw: Awaited<ReturnType<typeof startGateway>>, headers: Record<string, string>) =>
    gw.app.inject({ method: 'GET', url: `/v1/items/${SLOW_ID}`, headers })
  const notFound = (gw: Awaited<ReturnType<typeof startGateway>>, headers: Record<string, string>) =>
    gw.app.inject({ method: 'GET', url: `/v1/items/${idFailingWith(status.NOT_FOUND)}`, headers })

  // What the review confirmed: 20 requests asking for 1 ms gave every tenant 503s. One at a time,
  // so that each is a call of its own rather than one coalesced batch.
  const gw = await startGateway(t, fake.address, env)
  const evil = { ...(await gw.auth('evil')), 'x-request-timeout-ms': '1' }
  const started = Date.now()
  const codes = new Set<number>()
  for (let i = 0; i < 20; i++) codes.add((await slow(gw, evil)).statusCode)
  t.same([...codes], [504], 'each answers 504 at its own deadline')
  // A lower bound: a slow machine only lengthens the wait, so this cannot fail by slowness.
  t.ok(Date.now() - started >= 20 * 100, 'a deadline below the floor is raised to it')
  t.equal((await notFound(gw, await gw.auth('acme'))).statusCode, 404, 'another tenant still reaches the catalog')

  // The gateway's own deadline passing is the backend's fault, as before.
  const own = await startGateway(t, fake.address, env)
  const acme = await own.auth('acme')
  for (let i = 0; i < 5; i++) t.equal((await slow(own, acme)).statusCode, 504)
  const open = await notFound(own, acme)
  t.equal(open.statusCode, 503)
  t.equal(open.json().code, 'GW_ERR_CIRCUIT_OPEN')
})
