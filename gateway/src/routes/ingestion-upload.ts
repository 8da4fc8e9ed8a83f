import type { Metadata } from '@grpc/grpc-js'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { receiveWithin } from '../connection-limits.ts'
import { codes, GatewayError } from '../errors.ts'
import { BulkQuery, Job } from '../schemas/ingestion.ts'
import { callOptions } from '../upstream/call-options.ts'
import type { IngestStreams } from '../upstream/ingest-stream.ts'
import { streamUpload } from './bulk-upload.ts'
import { errors, sendJob } from './ingestion-json.ts'

const FORMATS: Record<string, 'ndjson' | 'json'> = {
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/json': 'json',
}
const KEY = /^[\x21-\x7e]{1,200}$/

export interface UploadRouteOptions {
  streams: IngestStreams
  bulkLimitBytes: number
  /** How long an upload may take, end to end (and its body to arrive). */
  bulkTimeoutMs: number
}

/** `POST /v1/items::bulk`: an upload streamed through to the ingestion service as it arrives. */
export function uploadRoute(app: FastifyInstance, options: UploadRouteOptions): void {
  // Uploads stream through: this scope's parsers hand the raw body over instead of buffering it.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(Object.keys(FORMATS), (_request, payload, done) => done(null, payload))
    scope.post<{ Querystring: Static<typeof BulkQuery> }>(
      '/v1/items::bulk',
      {
        config: { scope: 'ingest:write' },
        schema: {
          tags: ['ingestion'],
          summary: 'Load items in bulk (NDJSON or a JSON array), streamed',
          description:
            'Answers when the upload is read: 202 with the job, or 200 with the earlier job of the same Idempotency-Key.',
          querystring: BulkQuery,
          response: { 200: Job, 202: Job, ...errors },
        },
      },
      async (request, reply) => {
        const mediaType =
          String(request.headers['content-type'] ?? '')
            .split(';')[0]
            ?.trim()
            .toLowerCase() ?? ''
        const format = FORMATS[mediaType] as 'ndjson' | 'json'
        const key = request.headers['idempotency-key']
        if (key !== undefined && (typeof key !== 'string' || !KEY.test(key))) {
          throw new GatewayError(codes.validation, {
            detail: 'The request is not valid.',
            violations: [{ field: 'headers.idempotency-key', description: 'must be 1 to 200 printable ASCII characters' }],
          })
        }
        // Admitted (token, scope, budgets): only now may the body take longer than any other to arrive.
        receiveWithin(request, reply, options.bulkTimeoutMs)
        const metadata = callOptions(request, false).metadata as Metadata
        const upload = options.streams.open(metadata, new Date(Date.now() + options.bulkTimeoutMs))
        try {
          const header = {
            format,
            idempotency_key: key ?? '',
            default_source: request.query.source ?? '',
            name: request.query.name ?? '',
          }
          const res = await streamUpload(request, upload, header, options.bulkLimitBytes)
          return sendJob(reply, res.job, res.duplicate)
        } finally {
          // Answered before the body ended (a duplicate key, a refusal, an error): the rest of the
          // body no longer earns the upload's hour. The connection closes after the answer.
          if (request.raw.complete === false) reply.header('connection', 'close')
        }
      },
    )
  })
}
