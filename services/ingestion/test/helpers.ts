import { mkdir, writeFile } from 'node:fs/promises'
import type { AddressInfo, Socket } from 'node:net'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import type { UnaryClient } from '@catalog/kit'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { pollUntil, testCerts } from '@catalog/kit/testing'
import type { ingestion } from '@catalog/proto'
import { loadIngestion } from '@catalog/proto'
import * as grpc from '@grpc/grpc-js'
import { Metadata } from '@grpc/grpc-js'

/** What a helper needs of a test: somewhere to put its clean-up. */
export interface Tap {
  teardown(fn: () => unknown): void
}

export type IngestionClient = UnaryClient<ingestion.IngestionServiceDefinition>

export function ingestionClient(t: Tap, address: string): IngestionClient {
  const client = createUnaryClient(loadIngestion().grpc.ingestion.v1.IngestionService.service, {
    address,
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 20_000,
  })
  t.teardown(() => client.close())
  return client
}

export const as = (tenant: string) => ({
  metadata: writePrincipal(new Metadata(), { tenant, subject: `user-of-${tenant}`, scopes: ['ingest:write'] }),
})

/**
 * An IngestItems call the test drives itself: its header is sent, then whatever the test writes;
 * the test ends or cancels it. `result` is the service's answer (or the call's error).
 */
export function openUpload(
  t: Tap,
  address: string,
  tenant: string,
): { call: grpc.ClientWritableStream<ingestion.IngestItemsRequest>; result: Promise<ingestion.IngestItemsResponse__Output> } {
  const tls = testCerts().of('gateway')
  const Ctor = grpc.makeGenericClientConstructor(loadIngestion().grpc.ingestion.v1.IngestionService.service, 'IngestionService')
  const client = new Ctor(address, grpc.credentials.createSsl(tls.ca, tls.key, tls.cert))
  t.teardown(() => client.close())
  let call!: grpc.ClientWritableStream<ingestion.IngestItemsRequest>
  const result = new Promise<ingestion.IngestItemsResponse__Output>((resolve, reject) => {
    const ingest = client.IngestItems as (...args: unknown[]) => grpc.ClientWritableStream<ingestion.IngestItemsRequest>
    call = ingest.call(
      client,
      as(tenant).metadata,
      { deadline: Date.now() + 60_000 },
      (err: grpc.ServiceError | null, res: ingestion.IngestItemsResponse__Output) => (err ? reject(err) : resolve(res)),
    )
  })
  result.catch(() => undefined)
  t.teardown(() => call.cancel())
  call.write({ header: { format: 'ndjson' } })
  return { call, result }
}

/** Uploads `body` through the client-streaming IngestItems, in chunks of `chunkBytes`. */
export function upload(
  address: string,
  tenant: string,
  header: Partial<ingestion.UploadHeader>,
  body: Buffer | AsyncIterable<Buffer>,
  chunkBytes = 16 * 1024,
): Promise<ingestion.IngestItemsResponse__Output> {
  const tls = testCerts().of('gateway')
  const Ctor = grpc.makeGenericClientConstructor(loadIngestion().grpc.ingestion.v1.IngestionService.service, 'IngestionService')
  const client = new Ctor(address, grpc.credentials.createSsl(tls.ca, tls.key, tls.cert))
  return new Promise((resolve, reject) => {
    const ingest = client.IngestItems as (...args: unknown[]) => grpc.ClientWritableStream<ingestion.IngestItemsRequest>
    const call = ingest.call(
      client,
      as(tenant).metadata,
      { deadline: Date.now() + 60_000 },
      (err: grpc.ServiceError | null, res: ingestion.IngestItemsResponse__Output) => {
        client.close()
        if (err) reject(err)
        else resolve(res)
      },
    )
    void (async () => {
      call.write({ header: { format: 'ndjson', ...header } })
      const chunks = Buffer.isBuffer(body)
        ? (function* () {
            for (let i = 0; i < body.length; i += chunkBytes) yield body.subarray(i, i + chunkBytes)
          })()
        : body
      for await (const chunk of chunks) {
        if (!call.write({ chunk })) await new Promise((r) => call.once('drain', r))
      }
      call.end()
    })().catch(reject)
  })
}

/** Writes `name` in the tenant's area under `root` (`tenants/<tenant>/<name>`) and answers its file:// URI. */
export async function writeInput(root: string, tenant: string, name: string, content: string | Buffer): Promise<string> {
  const path = `tenants/${tenant}/${name}`
  await mkdir(dirname(join(root, path)), { recursive: true })
  await writeFile(join(root, path), content)
  return `file:///${path}`
}

const DONE = new Set(['JOB_STATE_COMPLETED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED'])

export async function finished(client: IngestionClient, tenant: string, id: string): Promise<ingestion.Job__Output> {
  const res = await pollUntil(
    () => client.call('GetIngestion', { id }, as(tenant)),
    (r) => DONE.has(r.job?.state ?? ''),
    60_000,
  )
  return res.job as ingestion.Job__Output
}

export const ndjson = (items: object[]) => `${items.map((i) => JSON.stringify(i)).join('\n')}\n`

export const item = (n: number, over: object = {}) => ({
  external_id: `x${n}`,
  title: `Imported thing ${n}`,
  description: `Description of thing ${n}`,
  tags: ['import', n % 2 ? 'odd' : 'even'],
  price: { amount_minor: 100 + n, currency: 'EUR' },
  published_at: '2024-05-01T10:00:00Z',
  ...over,
})

/**
 * An object store that accepts connections and then goes silent: HEAD of any key answers (an
 * object of a megabyte), GET of `.../stalled.ndjson` sends its headers and one record and no more,
 * and any other request never gets a byte back. `stalled` holds the connections of such GETs
 * while they stay open.
 */
export async function silentStore(t: Tap): Promise<{ endpoint: string; stalled: Set<Socket> }> {
  const sockets = new Set<Socket>()
  const stalled = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    let pending = ''
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1')
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const [method, path = ''] = pending.slice(0, end).split(' ')
        pending = pending.slice(end + 4)
        const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nContent-Length: 1048576\r\nETag: "e1"\r\n\r\n'
        if (method === 'HEAD' && !path.includes('silent-head')) socket.write(head)
        else if (method === 'GET' && path.includes('stalled.ndjson')) {
          stalled.add(socket)
          socket.write(`${head}${JSON.stringify(item(1))}\n`)
        }
      }
    })
    socket.on('close', () => {
      sockets.delete(socket)
      stalled.delete(socket)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    return new Promise((resolve) => server.close(resolve))
  })
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stalled }
}
