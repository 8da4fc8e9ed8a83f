import type { TlsFiles } from '@catalog/kit'
import { createUnaryClient } from '@catalog/kit'
import type { ingestion } from '@catalog/proto'
import { loadIngestion } from '@catalog/proto'
import type * as grpc from '@grpc/grpc-js'

export interface IngestUpload {
  /** Sends one part; resolves once the transport can take more (backpressure). */
  write(part: ingestion.IngestItemsRequest): Promise<void>
  end(): void
  cancel(): void
  /** The answer, which may come before the upload ends (a duplicate idempotency key). */
  readonly result: Promise<ingestion.IngestItemsResponse__Output>
  readonly settled: () => boolean
}

/**
 * The client-streaming IngestItems call, which the unary backends do not cover: an upload is
 * never retried (a body cannot be replayed) and its deadline is the upload's own.
 */
export function createIngestStreams(address: string, tls: TlsFiles) {
  const client = createUnaryClient(loadIngestion().grpc.ingestion.v1.IngestionService.service, {
    address,
    tls,
    defaultTimeoutMs: 60_000,
  })
  const method = loadIngestion().grpc.ingestion.v1.IngestionService.service.IngestItems
  return {
    open(metadata: grpc.Metadata, deadline: Date): IngestUpload {
      let done = false
      let call!: grpc.ClientWritableStream<ingestion.IngestItemsRequest>
      const result = new Promise<ingestion.IngestItemsResponse__Output>((resolve, reject) => {
        call = client.raw.makeClientStreamRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          metadata,
          { deadline },
          (err, response) => {
            done = true
            if (err || !response) reject(err)
            else resolve(response)
          },
        )
      })
      // Whoever awaits the upload sees the error; an early answer must not become an unhandled rejection.
      result.catch(() => undefined)
      return {
        async write(part) {
          if (done) return
          if (!call.write(part)) await new Promise<void>((resolve) => call.once('drain', () => resolve()))
        },
        end: () => call.end(),
        cancel: () => call.cancel(),
        result,
        settled: () => done,
      }
    },
    close: () => client.close(),
  }
}

export type IngestStreams = ReturnType<typeof createIngestStreams>
