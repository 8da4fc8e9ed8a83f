import { once } from 'node:events'
import type { Socket } from 'node:net'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { startTestIngestion } from '@catalog/ingestion-service/testing'
import t from 'tap'
import { startCatalog, startGateway } from './helpers/gateway.ts'

/** A listening gateway with ingestion on (which used to give every route the bulk upload's hour). */
async function listening(t: { teardown(fn: () => unknown): void }, env: Record<string, string> = {}) {
  const catalog = await startCatalog(t)
  const ingestion = await startTestIngestion(t)
  const gw = await startGateway(t, catalog.address, { INGESTION_ADDR: ingestion.address, ...env })
  const url = new URL(await gw.app.listen({ host: '127.0.0.1', port: 0 }))
  return { gw, port: Number(url.port) }
}

/**
 * Sends `head` and then nothing more, and returns what the server wrote before it closed the
 * connection, or `undefined` if it had not closed it after `patienceMs` (the test's own bound,
 * far past the gateway's).
 */
async function sendAndWait(port: number, head: string, patienceMs = 10_000): Promise<string | undefined> {
  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk
  })
  socket.on('error', () => undefined)
  socket.write(head)
  const closed = once(socket, 'close').then(() => received)
  const gaveUp = sleep(patienceMs).then(() => undefined)
  const outcome = await Promise.race([closed, gaveUp])
  socket.destroy()
  return outcome
}

const request = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`

t.test('a request whose body trickles in is cut off with 408 at the normal timeout', async (t) => {
  const { gw, port } = await listening(t, { REQUEST_TIMEOUT_MS: '100' })
  const head = request([
    'POST /v1/items HTTP/1.1',
    'Host: gateway',
    `Authorization: ${(await gw.auth('acme')).authorization}`,
    'Content-Type: application/json',
    'Content-Length: 100',
  ])
  const answer = await sendAndWait(port, `${head}{"title":`)
  t.match(answer, /^HTTP\/1\.1 408 /, 'a 408, then the connection closes')
})

t.test('a bulk upload whose caller is not admitted gets no longer than any other request', async (t) => {
  const { port } = await listening(t, { REQUEST_TIMEOUT_MS: '100' })
  const head = request([
    'POST /v1/items:bulk HTTP/1.1',
    'Host: gateway',
    'Content-Type: application/x-ndjson',
    'Content-Length: 100000',
  ])
  const answer = await sendAndWait(port, `${head}{"external_id":`)
  t.match(answer, /^HTTP\/1\.1 401 /, 'the 401, and then the connection closes instead of waiting on the body')
})

t.test('an admitted bulk upload may arrive more slowly than that', async (t) => {
  const { gw, port } = await listening(t, { REQUEST_TIMEOUT_MS: '100' })
  const lines = ['a', 'b', 'c'].map((id) => `${JSON.stringify({ external_id: id, title: id })}\n`)
  const body = new ReadableStream({
    async pull(controller) {
      const line = lines.shift()
      if (!line) return controller.close()
      await sleep(300) // each pause alone is past the 200 ms any other request has
      controller.enqueue(new TextEncoder().encode(line))
    },
  })
  const res = await fetch(`http://127.0.0.1:${port}/v1/items:bulk`, {
    method: 'POST',
    headers: { ...(await gw.auth('acme')), 'content-type': 'application/x-ndjson' },
    body,
    duplex: 'half',
  } as RequestInit)
  t.equal(res.status, 202)
  t.match(await res.json(), { accepted: 3 })
})

t.test('a malformed path skips the hooks, but its body is still bounded', async (t) => {
  const { port } = await listening(t, { REQUEST_TIMEOUT_MS: '100' })
  const head = request(['POST /v1/items/%E0%A4%A HTTP/1.1', 'Host: gateway', 'Content-Length: 100000'])
  const answer = await sendAndWait(port, `${head}{`)
  t.match(answer, /^HTTP\/1\.1 400 /, 'a 400, then the connection closes')
})

t.test('past MAX_CONNECTIONS a new connection is closed at once; one that ends frees its place', async (t) => {
  const { port } = await listening(t, { MAX_CONNECTIONS: '2' })
  const held: Socket[] = []
  t.teardown(() => {
    for (const s of held) s.destroy()
  })
  for (let i = 0; i < 2; i++) {
    const socket = connect(port, '127.0.0.1')
    await once(socket, 'connect')
    held.push(socket)
  }
  const probe = request(['GET /healthz HTTP/1.1', 'Host: gateway', 'Connection: close'])
  t.equal(await sendAndWait(port, probe), '', 'the third is closed without an answer')
  held.pop()?.destroy()
  const deadline = Date.now() + 10_000
  let answer = await sendAndWait(port, probe)
  while (!answer?.startsWith('HTTP/1.1 200') && Date.now() < deadline) answer = await sendAndWait(port, probe)
  t.match(answer, /^HTTP\/1\.1 200 /, 'once one of the two has gone, a new one is served')
})
