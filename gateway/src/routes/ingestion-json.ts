import type { ingestion } from '@catalog/proto'
import { fromTimestamp } from '@catalog/proto'
import type { FastifyReply } from 'fastify'
import type { Static } from 'typebox'
import type { Job } from '../schemas/ingestion.ts'
import { Problem } from '../schemas/item.ts'
import type { Backend } from '../upstream/backend.ts'

/** A job as the REST API shows it, and the problems the ingestion routes answer with. */

export type Ingestion = Backend<ingestion.IngestionServiceDefinition>

export const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem, 415: Problem, 429: Problem }

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

export const sendJob = (reply: FastifyReply, job: ingestion.Job__Output | null, duplicate: boolean) => {
  const json = jobToJson(job, duplicate)
  reply.code(duplicate ? 200 : 202).header('location', `/v1/ingestions/${json.id}`)
  if (duplicate) reply.header('idempotency-replayed', 'true')
  return reply.send(json)
}
