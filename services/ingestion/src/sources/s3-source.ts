import type { Readable } from 'node:stream'
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { badUri, sourceNotFound } from '../errors.ts'
import { shapeOf } from '../formats/read-records.ts'
import type { Source } from './source.ts'
import { decodedPath, outsideArea } from './tenant-area.ts'

export interface S3Options {
  buckets: readonly string[]
  endpoint?: string
  region: string
  forcePathStyle: boolean
  /** How long a connection may take to open. */
  connectTimeoutMs: number
  /** How long a request may wait for its answer, and a read of an object for its next bytes. */
  requestTimeoutMs: number
}

/**
 * s3://bucket/key inputs, from the configured buckets only, on the configured endpoint: a URI
 * picks an object, never a host, so no request can be steered elsewhere (no SSRF). The key must
 * start with the caller's area, compared as sent: S3 keys are case-sensitive and never normalised.
 */
export function s3Source(options: S3Options, client = createS3Client(options)): Source {
  const allowed = new Set(options.buckets)
  const locate = (url: URL, area: string, prefix: boolean) => {
    const bucket = url.hostname
    if (!allowed.has(bucket)) throw badUri(`bucket "${bucket}" is not one of the configured ingest buckets`)
    const path = decodedPath(url)
    if (path === undefined) throw badUri('must be validly percent-encoded, without NUL, "." or ".." segments')
    const key = path.replace(/^\//, '')
    if (!key.startsWith(area)) throw outsideArea(url, area)
    if (!prefix && key.endsWith('/')) throw badUri('must name an object: s3://bucket/key')
    return { bucket, key }
  }
  return {
    async find(url, area) {
      const { bucket, key } = locate(url, area, false)
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((err: unknown) => {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) throw sourceNotFound(url.href)
        throw err
      })
      const shape = shapeOf(key, head.ContentType, head.ContentEncoding)
      if (!shape) throw badUri('must end in .ndjson, .jsonl, .json or .csv (optionally .gz), or carry such a content type')
      const etag = head.ETag ?? ''
      return {
        uri: url.href,
        name: key.split('/').at(-1) ?? key,
        contentKey: `etag:${etag}`,
        size: head.ContentLength ?? 0,
        shape,
        open: (signal) => openObject(client, bucket, key, etag, signal),
      }
    },
    async list(prefix, area, after) {
      const { bucket, key } = locate(prefix, area, true)
      // The key a cursor names, when it lies under the prefix: S3 lists only the keys after it.
      const from = after ? URL.parse(after) : null
      const afterKey = from?.hostname === bucket ? decodedPath(from)?.replace(/^\//, '') : undefined
      const startAfter = afterKey?.startsWith(key) ? afterKey : undefined
      const uris: string[] = []
      let token: string | undefined
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: key,
            ContinuationToken: token,
            ...(startAfter ? { StartAfter: startAfter } : {}),
          }),
        )
        for (const o of page.Contents ?? [])
          if (o.Key && shapeOf(o.Key)) uris.push(`s3://${bucket}/${o.Key.split('/').map(encodeURIComponent).join('/')}`)
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      // In the store's order (by key, byte-wise), the one StartAfter follows.
      return uris
    },
  }
}

/**
 * An S3 client that gives up on a store that does not answer: without timeouts the SDK waits for
 * ever on a connection that was accepted and then went silent, and the job with it.
 */
export function createS3Client(options: Omit<S3Options, 'buckets'>): S3Client {
  return new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs,
      // Until the answer's headers, then (socketTimeout) between any two reads of its body.
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: options.requestTimeoutMs,
    },
  })
}

/**
 * Reads the object as found: IfMatch refuses a version replaced since (its ETag names the job's
 * content). An abort stops the request, or the body it is streaming.
 */
async function* openObject(
  client: S3Client,
  bucket: string,
  key: string,
  etag: string,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const command = new GetObjectCommand({ Bucket: bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) })
  const res = await client.send(command, signal ? { abortSignal: signal } : {})
  const body = res.Body as Readable
  const stop = () => body.destroy(signal?.reason)
  signal?.addEventListener('abort', stop, { once: true })
  try {
    yield* body
  } finally {
    signal?.removeEventListener('abort', stop)
  }
}
