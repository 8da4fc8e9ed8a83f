import type { Readable } from 'node:stream'
import type { ingestion } from '@catalog/proto'
import type { ServiceError } from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import type { FastifyRequest } from 'fastify'
import { codes, GatewayError } from '../errors.ts'
import type { IngestUpload } from '../upstream/ingest-stream.ts'

const ANSWERED: unique symbol = Symbol('answered')
const CHUNK = 64 * 1024

/**
 * Streams the request body to an upload call (the header first) and answers the call's answer.
 * Whichever side breaks first ends it at once: a call that ended (an early answer, a failure, a
 * cancel by the service) takes no more writes and never drains, so every wait here races its
 * answer; a body that breaks off cancels the call. A client that goes away cancels it too.
 */
export async function streamUpload(
  request: FastifyRequest,
  upload: IngestUpload,
  header: ingestion.UploadHeader,
  limit: number,
): Promise<ingestion.IngestItemsResponse__Output> {
  let gone = false
  const aborted = () => {
    gone = true
    upload.cancel()
  }
  request.raw.once('aborted', aborted)
  try {
    const answered: Promise<typeof ANSWERED> = upload.result.then(
      () => ANSWERED,
      () => ANSWERED,
    )
    if ((await Promise.race([upload.write({ header }), answered])) !== ANSWERED) await pump(request, upload, answered, limit)
    if (!upload.settled()) upload.end()
    return await upload.result
  } catch (err) {
    upload.cancel()
    throw failure(err, gone)
  } finally {
    request.raw.off('aborted', aborted)
  }
}

/** Copies the body to the upload in bounded chunks, counting bytes against the limit, until either ends. */
async function pump(request: FastifyRequest, upload: IngestUpload, answered: Promise<typeof ANSWERED>, limit: number) {
  let bytes = 0
  const chunks = (request.body as Readable)[Symbol.asyncIterator]()
  const read = () =>
    chunks.next().catch((err: unknown) => {
      throw bodyBroken(err)
    })
  for (;;) {
    // An early answer (a duplicate key, a refusal, a failure) means the rest is not needed: stop
    // waiting for it at once, not when the next chunk happens to come (a client may never send one).
    const next = await Promise.race([read(), answered])

    if (next === ANSWERED || next.done) return
    const chunk = next.value as Buffer
    bytes += chunk.length
    if (bytes > limit) {
      throw new GatewayError(codes.payloadTooLarge, {
        detail: `A bulk upload may be at most ${limit} bytes; split it or use POST /v1/ingestions with a file.`,
      })
    }
    for (let i = 0; i < chunk.length; i += CHUNK) {
      if ((await Promise.race([upload.write({ chunk: chunk.subarray(i, i + CHUNK) }), answered])) === ANSWERED) return
    }
  }
}

/** A body that ended other than by its end: the client's connection broke, or its framing. */
function bodyBroken(err: unknown): GatewayError {
  return new GatewayError(codes.validation, {
    detail: 'The request body broke off before its end; the upload was cancelled, send it again.',
    violations: [{ field: 'body', description: 'broke off before its end' }],
    reason: (err as Error | undefined)?.message ?? String(err),
  })
}

/**
 * What the client is told of a failed upload. A call the ingestion service cancelled (it shut
 * down, say) is no cancel of the client's: the service was unavailable, and the upload may be
 * sent again. Any other status is mapped as every backend's is.
 */
function failure(err: unknown, clientGone: boolean): unknown {
  if ((err as Partial<ServiceError>).code === status.CANCELLED && !clientGone && (err as ServiceError).metadata) {
    return new GatewayError(codes.upstreamUnavailable, {
      detail: 'The ingestion service ended the upload before it was read; send it again.',
      headers: { 'retry-after': '1' },
      reason: (err as ServiceError).details,
    })
  }
  return err
}
