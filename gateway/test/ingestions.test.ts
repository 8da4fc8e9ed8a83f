import { startTestIngestion } from '@catalog/ingestion-service/testing'
import { pollUntil } from '@catalog/kit/testing'
import t from 'tap'
import type { RunningGateway } from './helpers/gateway.ts'
import { startCatalog, startGateway } from './helpers/gateway.ts'

const ndjson = (n: number, from = 0) =>
  `${Array.from({ length: n }, (_, i) => JSON.stringify({ external_id: `e${from + i}`, title: `Item ${from + i}`, tags: ['bulk'] })).join('\n')}\n`

async function setup(
  t: { teardown(fn: () => unknown): void },
  env: Record<string, string> = {},
  options: Parameters<typeof startTestIngestion>[1] = {},
) {
  const cat = await startCatalog(t)
  const ing = await startTestIngestion(t, options)
  const gw = await startGateway(t, cat.address, { INGESTION_ADDR: ing.address, ...env })
  return { gw, ing }
}

/** POST /v1/ingestions: a file job for `payload.uri`. */
const startJob = (gw: RunningGateway, headers: Record<string, string>, payload: { uri: string; source?: string }) =>
  gw.app.inject({ method: 'POST', url: '/v1/ingestions', headers, payload })

t.test('POST /v1/items:bulk streams NDJSON to a job; the same Idempotency-Key answers the same job', async (t) => {
  const { gw } = await setup(t)
  const headers = { ...(await gw.auth('acme')), 'content-type': 'application/x-ndjson', 'idempotency-key': 'nightly-1' }
  const first = await gw.app.inject({
    method: 'POST',
    url: '/v1/items:bulk?source=shop&name=nightly',
    headers,
    payload: ndjson(250),
  })
  t.equal(first.statusCode, 202, first.body)
  const job = first.json()
  t.match(job, { state: 'completed', accepted: 250, rejected: 0, uri: 'upload:nightly', format: 'ndjson', duplicate: false })
  t.equal(first.headers.location, `/v1/ingestions/${job.id}`)

  const again = await gw.app.inject({ method: 'POST', url: '/v1/items:bulk', headers, payload: ndjson(250) })
  t.equal(again.statusCode, 200)
  t.equal(again.json().id, job.id)
  t.equal(again.headers['idempotency-replayed'], 'true')

  const got = await gw.app.inject({ url: `/v1/ingestions/${job.id}`, headers: await gw.auth('acme') })
  t.match(got.json(), { id: job.id, state: 'completed', total: 250 })
  const other = await gw.app.inject({ url: `/v1/ingestions/${job.id}`, headers: await gw.auth('globex') })
  t.equal(other.statusCode, 404, 'another tenant does not see the job')
})

t.test('a JSON array body, bad lines reported with their positions', async (t) => {
  const { gw } = await setup(t)
  const body = JSON.stringify([
    { external_id: 'a', title: 'A' },
    { external_id: 'b' },
    { external_id: 'c', title: 'C', price: { amount_minor: 1, currency: 'EURO' } },
    { external_id: 'd', title: 'D' },
  ])
  const res = await gw.app.inject({
    method: 'POST',
    url: '/v1/items:bulk',
    headers: { ...(await gw.auth('acme')), 'content-type': 'application/json' },
    payload: body,
  })
  t.equal(res.statusCode, 202)
  t.match(res.json(), {
    accepted: 2,
    rejected: 2,
    errors: [
      { position: 2, field: 'title' },
      { position: 3, field: 'price.currency' },
    ],
  })
})

t.test('a large upload streams through a listening gateway in many chunks', async (t) => {
  const { gw, ing } = await setup(t)
  const address = await gw.app.listen({ host: '127.0.0.1', port: 0 })
  const N = 20_000
  const body = Buffer.from(ndjson(N))
  let sent = 0
  const stream = new ReadableStream({
    pull(controller) {
      if (sent >= body.length) return controller.close()
      controller.enqueue(body.subarray(sent, sent + 100_000))
      sent += 100_000
    },
  })
  const res = await fetch(`${address}/v1/items:bulk`, {
    method: 'POST',
    headers: { ...(await gw.auth('acme')), 'content-type': 'application/x-ndjson' },
    body: stream,
    duplex: 'half',
  } as RequestInit)
  t.equal(res.status, 202)
  const job = (await res.json()) as { accepted: number; bytes_read: number; id: string }
  t.equal(job.accepted, N)
  t.equal(job.bytes_read, body.length, 'every byte arrived')
  const { rows } = await ing.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')
  t.equal(rows[0]?.n, 1)
})

t.test('bad uploads: wrong media type 415, over the limit 413, bad key 400, no scope 403', async (t) => {
  const { gw } = await setup(t, { BULK_BODY_LIMIT_BYTES: '4096' })
  const auth = await gw.auth('acme')
  const csv = await gw.app.inject({
    method: 'POST',
    url: '/v1/items:bulk',
    headers: { ...auth, 'content-type': 'text/csv' },
    payload: 'a,b\n',
  })
  t.equal(csv.statusCode, 415)
  t.equal(csv.headers['content-type'], 'application/problem+json; charset=utf-8')
  const big = await gw.app.inject({
    method: 'POST',
    url: '/v1/items:bulk',
    headers: { ...auth, 'content-type': 'application/x-ndjson' },
    payload: ndjson(200),
  })
  t.equal(big.statusCode, 413)
  const key = await gw.app.inject({
    method: 'POST',
    url: '/v1/items:bulk',
    headers: { ...auth, 'content-type': 'application/x-ndjson', 'idempotency-key': 'has space' },
    payload: ndjson(1),
  })
  t.equal(key.statusCode, 400)
  t.equal(key.json().errors[0].field, 'headers.idempotency-key')
  const noScope = await gw.app.inject({
    method: 'POST',
    url: '/v1/items:bulk',
    headers: { ...(await gw.auth('acme', 'items:read')), 'content-type': 'application/x-ndjson' },
    payload: ndjson(1),
  })
  t.equal(noScope.statusCode, 403)
})

t.test('POST /v1/ingestions starts a file job; refused URIs and bad pages name their field', async (t) => {
  const { gw, ing } = await setup(t)
  const auth = await gw.auth('acme')
  const { mkdir, writeFile } = await import('node:fs/promises')
  await mkdir(`${ing.fileRoot}/tenants/acme`, { recursive: true })
  await writeFile(`${ing.fileRoot}/tenants/acme/drop.ndjson`, ndjson(30))
  const started = await startJob(gw, auth, { uri: 'file:///tenants/acme/drop.ndjson', source: 'drop' })
  t.equal(started.statusCode, 202)
  const duplicate = await startJob(gw, auth, { uri: 'file:///tenants/acme/drop.ndjson' })
  t.equal(duplicate.statusCode, 200)
  t.equal(duplicate.json().duplicate, true)

  // Another tenant learns nothing of acme's files: one that exists and one that does not answer alike.
  const globex = await gw.auth('globex')
  const [theirs, absent] = await Promise.all(
    ['drop', 'nothing'].map((name) => startJob(gw, globex, { uri: `file:///tenants/acme/${name}.ndjson` })),
  )
  t.equal(theirs?.statusCode, 403)
  t.equal(theirs?.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(theirs?.json(), { code: 'ING_ERR_SOURCE_FORBIDDEN', errors: [{ field: 'body.uri' }] })
  t.same({ ...absent?.json(), request_id: '' }, { ...theirs?.json(), request_id: '' }, "whether acme's file exists or not")
  const notThere = await startJob(gw, auth, { uri: 'file:///tenants/acme/nothing.ndjson' })
  t.equal(notThere.statusCode, 404, 'a missing file in its own area is a 404')
  t.equal(notThere.json().errors[0].field, 'body.uri')

  const ssrf = await startJob(gw, auth, { uri: 'http://169.254.169.254/latest' })
  t.equal(ssrf.statusCode, 400)
  t.equal(ssrf.json().errors[0].field, 'body.uri')
  const page = await gw.app.inject({ url: '/v1/ingestions?limit=101', headers: auth })
  t.equal(page.statusCode, 400)
  t.match(page.body, /limit/)
  await writeFile(`${ing.fileRoot}/tenants/acme/second.ndjson`, ndjson(3))
  await startJob(gw, auth, { uri: 'file:///tenants/acme/second.ndjson' })
  const list = await gw.app.inject({ url: '/v1/ingestions?limit=1', headers: auth })
  t.equal(list.json().items.length, 1)
  t.type(list.json().next_cursor, 'string', 'two jobs, one per page')
  const missing = await gw.app.inject({ url: '/v1/ingestions/0190a000-0000-7000-8000-000000000000/events', headers: auth })
  t.equal(missing.statusCode, 404, 'the event stream of an unknown job is a 404 problem, not a stream')
})

t.test('a tenant at its limit of running jobs gets a 429 naming it, and the circuit stays closed', async (t) => {
  const { gw, ing } = await setup(t, { BREAKER_VOLUME: '5' }, { maxRunningJobs: 1 })
  // A job of acme's that is running (and alive) as far as any replica can tell.
  await ing.pool.query(
    `INSERT INTO jobs (id, tenant, uri, format, default_source) VALUES ($1, 'acme', 'upload:held', 'ndjson', 'bulk')`,
    ['0190a000-0000-7000-8000-000000000001'],
  )
  const { mkdir, writeFile } = await import('node:fs/promises')
  await mkdir(`${ing.fileRoot}/tenants/acme`, { recursive: true })
  await writeFile(`${ing.fileRoot}/tenants/acme/more.ndjson`, ndjson(3))
  const auth = await gw.auth('acme')
  for (let i = 0; i < 10; i++) {
    const res = await startJob(gw, auth, { uri: 'file:///tenants/acme/more.ndjson' })
    t.equal(res.statusCode, 429)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(res.json(), {
      code: 'ING_ERR_TOO_MANY_JOBS',
      detail: /already runs 1 ingestion jobs, its limit \(INGEST_MAX_RUNNING_JOBS\)/,
    })
  }
  const other = await gw.app.inject({ url: '/v1/ingestions', headers: await gw.auth('globex') })
  t.equal(other.statusCode, 200, "another tenant's call is not failed fast by an open circuit")
})

t.test('GET /v1/ingestions/{id}/events streams progress until the job ends', async (t) => {
  const { gw, ing } = await setup(t)
  const address = await gw.app.listen({ host: '127.0.0.1', port: 0 })
  const auth = await gw.auth('acme')
  const { mkdir, writeFile } = await import('node:fs/promises')
  await mkdir(`${ing.fileRoot}/tenants/acme`, { recursive: true })
  await writeFile(`${ing.fileRoot}/tenants/acme/big.ndjson`, ndjson(5_000))
  const started = await fetch(`${address}/v1/ingestions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ uri: 'file:///tenants/acme/big.ndjson' }),
  })
  const { id } = (await started.json()) as { id: string }
  const res = await fetch(`${address}/v1/ingestions/${id}/events`, { headers: auth })
  t.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8')
  const text = await res.text()
  const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => [m[1], JSON.parse(m[2] as string)])
  t.ok(events.length >= 1)
  const [lastName, lastJob] = events.at(-1) as [string, { state: string; accepted: number }]
  t.equal(lastName, 'end', 'the stream ends with the finished job')
  t.match(lastJob, { state: 'completed', accepted: 5_000 })
  for (const [name] of events.slice(0, -1)) t.equal(name, 'progress')
})

t.test('progress streams: a cap per tenant, a lifetime, and another tenant unaffected', async (t) => {
  const { gw, ing } = await setup(t, { SSE_STREAMS_PER_TENANT: '1', SSE_STREAM_MAX_MS: '1000' })
  const address = await gw.app.listen({ host: '127.0.0.1', port: 0 })
  // Jobs that stay running (as an upload whose client is still sending would), one per tenant.
  const held = { acme: '0190a000-0000-7000-8000-0000000000a1', globex: '0190a000-0000-7000-8000-0000000000b1' }
  for (const [tenant, id] of Object.entries(held))
    await ing.pool.query(
      `INSERT INTO jobs (id, tenant, uri, format, default_source) VALUES ($1, $2, 'upload:held', 'ndjson', 'bulk')`,
      [id, tenant],
    )
  const acme = await gw.auth('acme')
  const stream = (tenant: 'acme' | 'globex', headers: Record<string, string>) =>
    fetch(`${address}/v1/ingestions/${held[tenant]}/events`, { headers })

  const first = await stream('acme', acme)
  t.equal(first.status, 200, 'the first stream opens')
  const second = await stream('acme', acme)
  t.equal(second.status, 429, "a second one of acme's is refused")
  t.equal(second.headers.get('content-type'), 'application/problem+json; charset=utf-8')
  t.match(await second.json(), { code: 'GW_ERR_RATE_LIMITED', detail: /SSE_STREAMS_PER_TENANT/ })
  const other = await stream('globex', await gw.auth('globex'))
  t.equal(other.status, 200, "globex's stream opens beside it")

  const text = await first.text()
  t.match(text, /event: progress\n/, 'the stream carried progress')
  t.match(text, /retry: 1000\n: this stream has reached its lifetime/, 'and ended at its lifetime, asking for a reconnect')
  await other.body?.cancel()
  const again = await stream('acme', acme)
  t.equal(again.status, 200, 'once it ended, acme may open another')
  await again.body?.cancel()
})

t.test('an upload refused at its start (too many jobs) is answered at once, and its connection closes', async (t) => {
  const { gw, ing } = await setup(t, {}, { maxRunningJobs: 1 })
  await ing.pool.query(
    `INSERT INTO jobs (id, tenant, uri, format, default_source) VALUES ($1, 'acme', 'upload:held', 'ndjson', 'bulk')`,
    ['0190a000-0000-7000-8000-0000000000c1'],
  )
  const { port } = new URL(await gw.app.listen({ host: '127.0.0.1', port: 0 }))
  const { connect } = await import('node:net')
  const socket = connect(Number(port), '127.0.0.1')
  socket.on('error', () => undefined)
  let answer = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    answer += chunk
  })
  const head = [
    'POST /v1/items:bulk HTTP/1.1',
    'Host: gateway',
    `Authorization: ${(await gw.auth('acme')).authorization}`,
    'Content-Type: application/x-ndjson',
    'Content-Length: 100000',
  ]
  // One line of a body that would take its hour to arrive: the refusal must not wait for the rest.
  socket.write(`${head.join('\r\n')}\r\n\r\n${JSON.stringify({ external_id: 'a', title: 'a' })}\n`)
  const closed = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref()),
  ])
  socket.destroy()
  t.match(answer, /^HTTP\/1\.1 429 /, 'a 429')
  t.match(answer, /connection: close/i, 'saying the connection closes')
  t.ok(closed, 'and it closes, instead of holding the socket for the upload hour')
})

t.test('POST /v1/ingestions/{id}/retry starts a failed file again as a new job; anything else is a problem', async (t) => {
  const { gw, ing } = await setup(t)
  const auth = await gw.auth('acme')
  const { mkdir, writeFile } = await import('node:fs/promises')
  await mkdir(`${ing.fileRoot}/tenants/acme`, { recursive: true })
  await writeFile(`${ing.fileRoot}/tenants/acme/broken.ndjson.gz`, 'not gzip at all')
  const started = await startJob(gw, auth, { uri: 'file:///tenants/acme/broken.ndjson.gz' })
  t.equal(started.statusCode, 202)
  t.match(started.json(), { origin: 'request', attempt: 1, retry_at: null, quarantined_at: null, released_at: null })
  const jobOf = async (id: string) => (await gw.app.inject({ url: `/v1/ingestions/${id}`, headers: auth })).json()
  const failed = await pollUntil(
    () => jobOf(started.json().id),
    (j) => j.state === 'failed',
  )
  t.match(failed.error, /^ING_ERR_MALFORMED_INPUT: /)
  t.equal(failed.quarantined_at, null, 'only drops are quarantined')

  const retried = await gw.app.inject({ method: 'POST', url: `/v1/ingestions/${failed.id}/retry`, headers: auth })
  t.equal(retried.statusCode, 202, retried.body)
  t.match(retried.json(), { origin: 'request', attempt: 1, uri: 'file:///tenants/acme/broken.ndjson.gz' })
  t.not(retried.json().id, failed.id, 'a new job')
  t.equal(retried.headers.location, `/v1/ingestions/${retried.json().id}`)
  t.equal((await jobOf(failed.id)).released_at, null, 'released_at tells of quarantined drops only')

  const problem = async (url: string, headers = auth) => {
    const res = await gw.app.inject({ method: 'POST', url, headers })
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', url)
    return { status: res.statusCode, code: res.json().code }
  }
  const running = await pollUntil(
    () => jobOf(retried.json().id),
    (j) => j.state !== 'running',
  )
  await writeFile(`${ing.fileRoot}/tenants/acme/good.ndjson`, ndjson(2))
  const good = (await startJob(gw, auth, { uri: 'file:///tenants/acme/good.ndjson' })).json()
  await pollUntil(
    () => jobOf(good.id),
    (j) => j.state === 'completed',
  )
  t.same(await problem(`/v1/ingestions/${good.id}/retry`), { status: 400, code: 'ING_ERR_NOT_RETRYABLE' }, 'a completed job')
  t.same(
    await problem(`/v1/ingestions/${running.id}/retry`, await gw.auth('globex')),
    { status: 404, code: 'ING_ERR_NOT_FOUND' },
    "another tenant's",
  )
  t.same(await problem('/v1/ingestions/nope/retry'), { status: 400, code: 'GW_ERR_VALIDATION' }, 'not an id')
  t.same(
    await problem(`/v1/ingestions/${running.id}/retry`, await gw.auth('acme', 'items:read')),
    { status: 403, code: 'GW_ERR_FORBIDDEN' },
    'without ingest:write',
  )
})

t.test(
  'POST /v1/ingestions/{id}/replay and /v1/ingestions:replay re-drive dead letters as a job; a window is checked',
  async (t) => {
    const { gw } = await setup(t)
    const auth = await gw.auth('acme')
    const loaded = await gw.app.inject({
      method: 'POST',
      url: '/v1/items:bulk?name=replayed',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      payload: `${ndjson(2)}{"external_id": "no-title"}\n`,
    })
    t.equal(loaded.statusCode, 202, loaded.body)
    t.match(loaded.json(), { accepted: 2, rejected: 1 })
    const replay = await gw.app.inject({ method: 'POST', url: `/v1/ingestions/${loaded.json().id}/replay`, headers: auth })
    t.equal(replay.statusCode, 202, replay.body)
    t.match(replay.json(), { origin: 'replay', uri: `dlq:job/${loaded.json().id}` })
    t.equal(replay.headers.location, `/v1/ingestions/${replay.json().id}`)
    const done = await pollUntil(
      async () => (await gw.app.inject({ url: `/v1/ingestions/${replay.json().id}`, headers: auth })).json(),
      (j) => j.state !== 'running',
      60_000,
    )
    t.match(
      done,
      { state: 'completed', processed: 1, rejected: 1, errors: [{ field: 'title' }] },
      'refused again, for the same reason',
    )

    const other = await gw.app.inject({
      method: 'POST',
      url: `/v1/ingestions/${loaded.json().id}/replay`,
      headers: await gw.auth('globex'),
    })
    t.equal(other.statusCode, 404, "another tenant's job")
    const window = (payload: object) =>
      gw.app.inject({
        method: 'POST',
        url: '/v1/ingestions:replay',
        headers: { ...auth, 'content-type': 'application/json' },
        payload,
      })
    const since = new Date(Date.now() - 3_600_000).toISOString()
    const windowed = await window({ since })
    t.equal(windowed.statusCode, 202, windowed.body)
    t.match(windowed.json(), { origin: 'replay', uri: `dlq:${since}/` })
    const old = await window({ since: new Date(Date.now() - 40 * 86_400_000).toISOString() })
    t.equal(old.statusCode, 400)
    t.match(old.json(), { errors: [{ field: 'body.since' }] }, 'older than the topic keeps')
    t.equal((await window({ since: 'yesterday' })).statusCode, 400, 'an instant')
  },
)
