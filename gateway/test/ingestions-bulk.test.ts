// A bulk upload whose stream breaks half-way, on either side, is answered at once: the body of a
// client that is still sending must not hold the request until the upload's hour runs out.
import type { IncomingHttpHeaders } from 'node:http'
import { request } from 'node:http'
import { connect } from 'node:net'
import { pollUntil } from '@catalog/kit/testing'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { startFakeCatalog } from './helpers/fake-catalog.ts'
import { SECRET, startFakeIngestion } from './helpers/fake-ingestion.ts'
import { startGateway } from './helpers/gateway.ts'

/** 64 KiB of NDJSON records, the unit a client sends here. */
const CHUNK = Buffer.from(
  `${Array.from({ length: 800 }, (_, i) => JSON.stringify({ external_id: `e${i}`, title: `Item ${i}` }))
    .join('\n')
    .padEnd(64 * 1024 - 1, ' ')}\n`,
)

async function setup(t: { teardown(fn: () => unknown): void }) {
  const cat = await startFakeCatalog(t)
  const ing = await startFakeIngestion(t)
  const gw = await startGateway(t, cat.address, { INGESTION_ADDR: ing.address, BREAKER_VOLUME: '1000' })
  const address = await gw.app.listen({ host: '127.0.0.1', port: 0 })
  return { gw, ing, address }
}

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/**
 * POSTs a body that never ends by itself: up to `chunks` chunks as fast as the gateway takes
 * them, then the request stays open. Resolves with the gateway's answer, whenever it comes.
 */
function endlessUpload(address: string, headers: Record<string, string>, chunks = 512): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${address}/v1/items:bulk`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
    })
    let answered = false
    req.on('error', (err) => {
      if (!answered) reject(err)
    })
    req.on('response', (res) => {
      answered = true
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d
      })
      res.on('end', () => {
        req.destroy()
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
      })
    })
    void (async () => {
      for (let i = 0; i < chunks && !answered && !req.destroyed; i++) {
        if (!req.write(CHUNK)) await new Promise((r) => req.once('drain', r).once('close', r))
      }
    })()
  })
}

const problem = (answer: Answer) => JSON.parse(answer.body) as { code: string; status: number; detail: string }

for (const [name, code, http, stableCode] of [
  ['INTERNAL', status.INTERNAL, 500, 'GW_ERR_INTERNAL'],
  ['UNAVAILABLE', status.UNAVAILABLE, 503, 'GW_ERR_UPSTREAM_UNAVAILABLE'],
] as const) {
  t.test(`an upload the ingestion service fails half-way (${name}) is answered ${http} while the body still comes`, async (t) => {
    const { gw, ing, address } = await setup(t)
    // Reads a few chunks, stops reading long enough for the gateway's writes to back up, then fails.
    ing.state.upload = { after: 4, holdMs: 300, fail: code }
    const answer = await endlessUpload(address, await gw.auth('acme'))
    t.equal(answer.status, http)
    t.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.equal(problem(answer).code, stableCode, 'the cause named by a stable code')
    t.notMatch(answer.body, SECRET, "nothing of the service's message")
    t.equal(answer.headers.connection, 'close', 'the rest of the body is not waited for')
  })
}

t.test('an upload whose call is cancelled by the ingestion service is answered 503', async (t) => {
  const { gw, ing, address } = await setup(t)
  ing.state.upload = { after: 4, stall: true }
  const answering = endlessUpload(address, await gw.auth('acme'))
  await pollUntil(
    () => ing.seen.chunks,
    (n) => n >= 4,
  )
  // A shutdown that outlives its wait cancels the calls in flight.
  await ing.stop(0)
  const answer = await answering
  t.equal(answer.status, 503)
  t.match(problem(answer), { code: 'GW_ERR_UPSTREAM_UNAVAILABLE' })
  t.ok(answer.headers['retry-after'], 'saying when to try again')
})

t.test("a client's body that breaks off (bad chunk framing) is answered 400, and the upload is cancelled", async (t) => {
  const { gw, ing, address } = await setup(t)
  ing.state.upload = { after: 1_000_000, stall: true }
  const { port } = new URL(address)
  const socket = connect(Number(port), '127.0.0.1')
  socket.on('error', () => undefined)
  let answer = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    answer += chunk
  })
  const closed = new Promise((resolve) => socket.once('close', resolve))
  const head = [
    'POST /v1/items:bulk HTTP/1.1',
    'Host: gateway',
    `Authorization: ${(await gw.auth('acme')).authorization}`,
    'Content-Type: application/x-ndjson',
    'Transfer-Encoding: chunked',
  ]
  socket.write(`${head.join('\r\n')}\r\n\r\n${CHUNK.length.toString(16)}\r\n`)
  socket.write(CHUNK)
  socket.write('\r\n')
  await pollUntil(
    () => ing.seen.chunks,
    (n) => n >= 1,
  )
  socket.write('not a chunk size\r\n')
  await closed
  t.match(answer, /^HTTP\/1\.1 400 /, 'a 400')
  await pollUntil(
    () => ing.seen.cancelled,
    (n) => n >= 1,
  )
  t.pass('the upload call was cancelled')
})

t.test('a client that hangs up half-way cancels the upload', async (t) => {
  const { gw, ing, address } = await setup(t)
  ing.state.upload = { after: 1_000_000, stall: true }
  const { port } = new URL(address)
  const socket = connect(Number(port), '127.0.0.1')
  socket.on('error', () => undefined)
  const head = [
    'POST /v1/items:bulk HTTP/1.1',
    'Host: gateway',
    `Authorization: ${(await gw.auth('acme')).authorization}`,
    'Content-Type: application/x-ndjson',
    'Content-Length: 100000000',
  ]
  socket.write(`${head.join('\r\n')}\r\n\r\n`)
  for (let i = 0; i < 64 && ing.seen.chunks < 4; i++)
    if (!socket.write(CHUNK)) await new Promise((resolve) => socket.once('drain', resolve))
  await pollUntil(
    () => ing.seen.chunks,
    (n) => n >= 4,
  )
  socket.destroy()
  await pollUntil(
    () => ing.seen.cancelled,
    (n) => n >= 1,
  )
  t.pass('the upload call was cancelled')
})
