import type { ingestion } from '@catalog/proto'
import { fromTimestamp } from '@catalog/proto'
import type { Static } from 'typebox'
import type { Job } from './ingestion.ts'

const STATES = {
  JOB_STATE_RUNNING: 'running',
  JOB_STATE_APPLYING: 'applying',
  JOB_STATE_COMPLETED: 'completed',
  JOB_STATE_FAILED: 'failed',
  JOB_STATE_CANCELLED: 'cancelled',
} as const

const ORIGINS = ['request', 'upload', 'drop', 'replay'] as const
type Origin = (typeof ORIGINS)[number]

/** A job as the REST API shows it, from ingestion.v1.Job (with `duplicate` when a start found it running or done). */
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
    origin: ORIGINS.includes(job.origin as Origin) ? (job.origin as Origin) : 'request',
    attempt: Math.max(1, job.attempt),
    retry_at: time(job.retry_at),
    quarantined_at: time(job.quarantined_at),
    released_at: time(job.released_at),
    applied: Number(job.applied),
    catalog_rejected: Number(job.catalog_rejected),
    ...(duplicate === undefined ? {} : { duplicate }),
  }
}
