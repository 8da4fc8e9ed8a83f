import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { UnaryClient } from '@catalog/kit'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { pollUntil, testCerts } from '@catalog/kit/testing'
import type { ingestion } from '@catalog/proto'
import { loadIngestion } from '@catalog/proto'
import * as grpc from '@grpc/grpc-js'
import { Metadata } from '@grpc/grpc-js'

interface Tap {
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
