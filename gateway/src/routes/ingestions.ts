import type { ingestion } from '@catalog/proto'
import { fromTimestamp } from '@catalog/proto'
import type { Metadata } from '@grpc/grpc-js'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Static } from 'typebox'
import { receiveWithin } from '../connection-limits.ts'
import { codes, GatewayError } from '../errors.ts'
import { BulkQuery, Job, JobPage, JobParams, ListQuery, StartBody } from '../schemas/ingestion.ts'
import { Problem } from '../schemas/item.ts'
import type { Backend } from '../upstream/backend.ts'
import { callOptions } from '../upstream/call-options.ts'
import type { IngestStreams } from '../upstream/ingest-stream.ts'
import { streamUpload } from './bulk-upload.ts'
import { createJobWatch } from './job-watch.ts'

type Ingestion = Backend<ingestion.IngestionServiceDefinition>

export interface IngestionRouteOptions {
  backend: Ingestion
  streams: IngestStreams
  bulkLimitBytes: number
  /** How long an upload may take, end to end (and its body to arrive). */
  bulkTimeoutMs: number
  /** How often a job followed by progress streams is read (once for all its streams). */
  pollMs?: number
  /** Progress streams one tenant may hold open at once (on this replica). */
  streamsPerTenant: number
  /** How long one progress stream lives before it ends (an EventSource then reconnects). */
  streamMaxMs: number
}

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem, 415: Problem, 429: Problem }
const FORMATS: Record<string, 'ndjson' | 'json'> = {
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/json': 'json',
}
const KEY = /^[\x21-\x7e]{1,200}$/
/** A progress stream quiet this long gets a comment, so proxies do not take it for dead. */
const KEEP_ALIVE_MS = 15_000
const STATES = {
  JOB_STATE_RUNNING: 'running',
  JOB_STATE_COMPLETED: 'completed',
  JOB_STATE_FAILED: 'failed',
  JOB_STATE_CANCELLED: 'cancelled',
} as const

export function jobToJson(job: ingestion.Job__Output | null, duplicate?: boolean): Static<typeof Job> {
  if (!job) throw new Error('the ingestion service answered without a job')
  const time = (ts: ingestion.Job__Output['created_at']) => (ts ? fromTimestamp(ts).toISOString() : null)
  return {
    id: job.id,
    uri: job.uri,
    format: job.format,
    state: STATES[job.state as keyof typeof STATES] ?? 'running',
    total: Number(job.total),
    processed: Number(job.processed),
    accepted: Number(job.accepted),
    rejected: Number(job.rejected),
    bytes_read: Number(job.bytes_read),
    bytes_total: job.bytes_total === '0' ? null : Number(job.bytes_total),
    rate: job.rate,
    eta_seconds: job.eta_seconds < 0 ? null : job.eta_seconds,
    errors: job.errors.map((e) => ({ position: Number(e.position), field: e.field, reason: e.reason })),
    error: job.error || null,
    created_at: time(job.created_at) ?? '',
    updated_at: time(job.updated_at) ?? '',
    finished_at: time(job.finished_at),
    ...(duplicate === undefined ? {} : { duplicate }),
  }
}

const sendJob = (reply: FastifyReply, job: ingestion.Job__Output | null, duplicate: boolean) => {
  const json = jobToJson(job, duplicate)
  reply.code(duplicate ? 200 : 202).header('location', `/v1/ingestions/${json.id}`)
  if (duplicate) reply.header('idempotency-replayed', 'true')
  return reply.send(json)
}

export function ingestionRoutes(app: FastifyInstance, options: IngestionRouteOptions): void {
  const { backend } = options
  const watch = createJobWatch(options.pollMs ?? 500)
  /** Progress streams open on this replica, per tenant: each holds a socket and polls the backend. */
  const openStreams = new Map<string, number>()
  /** Counts a stream against its tenant's cap (or refuses it); the returned function gives it back. */
  const admitStream = (tenant: string) => {
    const open = openStreams.get(tenant) ?? 0
    if (open >= options.streamsPerTenant) throw tooManyStreams(options.streamsPerTenant)
    openStreams.set(tenant, open + 1)
    return () => {
      const left = (openStreams.get(tenant) ?? 1) - 1
      if (left > 0) openStreams.set(tenant, left)
      else openStreams.delete(tenant)
    }
  }

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
          throw new GatewayError(codes.validation, 400, 'Bad Request', {
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

  app.post<{ Body: Static<typeof StartBody> }>(
    '/v1/ingestions',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Start a job from a file:// or s3:// URI',
        body: StartBody,
        response: { 200: Job, 202: Job, ...errors },
      },
    },
    async (request, reply) => {
      const res = await backend.call(
        'StartIngestion',
        { uri: request.body.uri, default_source: request.body.source ?? '' },
        callOptions(request, false),
      )
      return sendJob(reply, res.job, res.duplicate)
    },
  )

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/ingestions',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'List jobs, newest first',
        querystring: ListQuery,
        response: { 200: JobPage, ...errors },
      },
    },
    async (request) => {
      const res = await backend.call(
        'ListIngestions',
        { page: { size: request.query.limit ?? 20, cursor: request.query.cursor ?? '' } },
        callOptions(request, true),
      )
      return { items: res.jobs.map((j) => jobToJson(j)), next_cursor: res.page?.next_cursor || null }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/ingestions/:id',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Get a job and its progress',
        params: JobParams,
        response: { 200: Job, ...errors },
      },
    },
    async (request) => jobToJson((await backend.call('GetIngestion', { id: request.params.id }, callOptions(request, true))).job),
  )

  app.post<{ Params: { id: string } }>(
    '/v1/ingestions/:id/cancel',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Cancel a running job (records already published stay)',
        params: JobParams,
        response: { 200: Job, 409: Problem, ...errors },
      },
    },
    async (request) =>
      jobToJson((await backend.call('CancelIngestion', { id: request.params.id }, callOptions(request, false))).job),
  )

  app.get<{ Params: { id: string } }>(
    '/v1/ingestions/:id/events',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Progress of a job as Server-Sent Events (progress, then end)',
        params: JobParams,
        response: { 200: { content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors },
      },
    },
    async (request, reply) => {
      const tenant = request.principal?.tenant ?? ''
      const { id } = request.params
      const release = admitStream(tenant)
      // The first read answers 404 and friends as problems, before the stream starts; a job that
      // another stream of this tenant follows is known already.
      let job: ingestion.Job__Output | null | undefined = watch.latest(tenant, id)
      try {
        job ??= (await backend.call('GetIngestion', { id }, callOptions(request, true))).job
      } catch (err) {
        release()
        throw err
      }
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        // The stream is the whole exchange: when it ends, so does the connection.
        connection: 'close',
        'x-request-id': String(request.id),
      })
      const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      let last = ''
      let lastWrite = Date.now()
      await new Promise<void>((resolve) => {
        const timers: NodeJS.Timeout[] = []
        let unfollow = () => {}
        const finish = () => {
          unfollow()
          for (const timer of timers) clearTimeout(timer)
          resolve()
        }
        /** Shows a read of the job; answers whether the stream goes on. */
        const show = (read: ingestion.Job__Output | null): boolean => {
          const json = jobToJson(read)
          if (json.state !== 'running') {
            send('end', json)
            finish()
            return false
          }
          const fingerprint = `${json.updated_at}/${json.processed}/${json.state}`
          if (fingerprint !== last) {
            send('progress', json)
            last = fingerprint
            lastWrite = Date.now()
          }
          return true
        }
        raw.once('close', finish)
        if (!show(job)) return
        unfollow = watch.follow(tenant, id, {
          read: async () => {
            const deadline = new Date(Date.now() + 5_000)
            const { job } = await backend.call('GetIngestion', { id }, { ...callOptions(request, true), deadline })
            if (!job) throw new Error('the ingestion service answered without a job')
            return job
          },
          job: show,
          failed: (err) => {
            send('error', { detail: 'the job could not be read; reconnect to resume' })
            request.log.warn({ err }, 'progress stream ended on an error')
            finish()
          },
        })
        const keepAlive = setInterval(() => {
          if (Date.now() - lastWrite < KEEP_ALIVE_MS) return
          raw.write(': keep-alive\n\n')
          lastWrite = Date.now()
        }, KEEP_ALIVE_MS / 3)
        // A stream is no place to park a socket for days: end it; EventSource reconnects by itself.
        const lifetime = setTimeout(() => {
          raw.write('retry: 1000\n: this stream has reached its lifetime; reconnect to go on\n\n')
          finish()
        }, options.streamMaxMs)
        timers.push(keepAlive, lifetime)
      })
      release()
      raw.end()
    },
  )
}

function tooManyStreams(limit: number): GatewayError {
  return new GatewayError(codes.rateLimited, 429, 'Too Many Requests', {
    detail: `At most ${limit} progress streams per tenant may be open at once (SSE_STREAMS_PER_TENANT); close one first.`,
    headers: { 'retry-after': '5' },
  })
}
