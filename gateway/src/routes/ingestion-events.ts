import type { ServerResponse } from 'node:http'
import type { ingestion } from '@catalog/proto'
import type { FastifyInstance } from 'fastify'
import { codes, GatewayError } from '../errors.ts'
import { JobParams } from '../schemas/ingestion.ts'
import { jobToJson } from '../schemas/ingestion-mapping.ts'
import { callOptions } from '../upstream/call-options.ts'
import type { Ingestion } from './ingestion-json.ts'
import { errors } from './ingestion-json.ts'
import { createJobWatch } from './job-watch.ts'

/** A progress stream quiet this long gets a comment, so proxies do not take it for dead. */
const KEEP_ALIVE_MS = 15_000

export interface ProgressRouteOptions {
  backend: Ingestion
  /** How often a job followed by progress streams is read (once for all its streams). */
  pollMs?: number
  /** Progress streams one tenant may hold open at once (on this replica). */
  streamsPerTenant: number
  /** How long one progress stream lives before it ends (an EventSource then reconnects). */
  streamMaxMs: number
}

/** `GET /v1/ingestions/{id}/events`: a job's progress as Server-Sent Events, bounded per tenant and in time. */
export function progressRoute(app: FastifyInstance, options: ProgressRouteOptions): void {
  const { backend } = options
  const watch = createJobWatch(options.pollMs ?? 500)
  const admitStream = streamCounter(options.streamsPerTenant)

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
        if (!job) throw new Error('the ingestion service answered without a job')
      } catch (err) {
        release()
        throw err
      }
      reply.hijack()
      try {
        await progressStream(reply.raw, String(request.id), options.streamMaxMs, job, (show, failed) =>
          watch.follow(tenant, id, {
            read: async () => {
              const deadline = new Date(Date.now() + 5_000)
              const { job } = await backend.call('GetIngestion', { id }, { ...callOptions(request, true), deadline })
              if (!job) throw new Error('the ingestion service answered without a job')
              return job
            },
            job: show,
            failed: (err) => {
              request.log.warn({ err }, 'progress stream ended on an error')
              failed()
            },
          }),
        )
      } finally {
        // Whatever ended the stream, the tenant gets its slot back and the connection closes.
        release()
        reply.raw.end()
      }
    },
  )
}

/** Progress streams open on this replica, per tenant (each holds a socket and polls): admits one under `limit`, or refuses it. */
function streamCounter(limit: number) {
  const open = new Map<string, number>()
  /** Counts a stream against its tenant's cap (or refuses it); the returned function gives it back. */
  return (tenant: string) => {
    const now = open.get(tenant) ?? 0
    if (now >= limit) throw tooManyStreams(limit)
    open.set(tenant, now + 1)
    return () => {
      const left = (open.get(tenant) ?? 1) - 1
      if (left > 0) open.set(tenant, left)
      else open.delete(tenant)
    }
  }
}

type Follow = (show: (job: ingestion.Job__Output | null) => boolean, failed: () => void) => () => void

/**
 * One stream, from its headers to its end: `first`, then each changed read that `follow` delivers,
 * as `progress` events, until the job ends (`end`), a read fails (`error`), the client goes, or
 * `maxMs` passes (a `retry` hint: EventSource reconnects by itself). A comment every
 * KEEP_ALIVE_MS of quiet keeps proxies from taking it for dead.
 */
function progressStream(
  raw: ServerResponse,
  requestId: string,
  maxMs: number,
  first: ingestion.Job__Output,
  follow: Follow,
): Promise<void> {
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    // The stream is the whole exchange: when it ends, so does the connection.
    connection: 'close',
    'x-request-id': requestId,
  })
  const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  let last = ''
  let lastWrite = Date.now()
  return new Promise<void>((resolve) => {
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
      // Applying is not the end: the stream follows the job until the catalog applied its records.
      if (json.state !== 'running' && json.state !== 'applying') {
        send('end', json)
        finish()
        return false
      }
      const fingerprint = `${json.updated_at}/${json.processed}/${json.applied}/${json.state}`
      if (fingerprint !== last) {
        send('progress', json)
        last = fingerprint
        lastWrite = Date.now()
      }
      return true
    }
    raw.once('close', finish)
    if (!show(first)) return
    unfollow = follow(show, () => {
      send('error', { detail: 'the job could not be read; reconnect to resume' })
      finish()
    })
    const keepAlive = setInterval(() => {
      if (Date.now() - lastWrite < KEEP_ALIVE_MS) return
      raw.write(': keep-alive\n\n')
      lastWrite = Date.now()
    }, KEEP_ALIVE_MS / 3)
    // A stream is no place to park a socket for days: end it.
    const lifetime = setTimeout(() => {
      raw.write('retry: 1000\n: this stream has reached its lifetime; reconnect to go on\n\n')
      finish()
    }, maxMs)
    timers.push(keepAlive, lifetime)
  })
}

function tooManyStreams(limit: number): GatewayError {
  return new GatewayError(codes.rateLimited, {
    detail: `At most ${limit} progress streams per tenant may be open at once (SSE_STREAMS_PER_TENANT); close one first.`,
    headers: { 'retry-after': '5' },
  })
}
