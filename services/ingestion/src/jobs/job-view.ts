import type { ingestion } from '@catalog/proto'
import { toTimestamp } from '@catalog/proto'
import type { JobRow } from './job-store.ts'

const STATES = {
  running: 'JOB_STATE_RUNNING',
  applying: 'JOB_STATE_APPLYING',
  completed: 'JOB_STATE_COMPLETED',
  failed: 'JOB_STATE_FAILED',
  cancelled: 'JOB_STATE_CANCELLED',
} as const

/** The contract's Job from a row, with its rate and ETA worked out from the progress so far. */
export function toJob(row: JobRow, now = new Date()): ingestion.Job {
  const end = row.finished_at ?? now
  const seconds = Math.max(0.001, (end.getTime() - row.created_at.getTime()) / 1000)
  const processed = Number(row.processed)
  const bytesRead = Number(row.bytes_read)
  const bytesTotal = row.bytes_total === null ? 0 : Number(row.bytes_total)
  const eta = row.state === 'running' && bytesTotal > 0 && bytesRead > 0 ? ((bytesTotal - bytesRead) * seconds) / bytesRead : -1
  return {
    id: row.id,
    tenant: row.tenant,
    uri: row.uri,
    format: row.format,
    state: STATES[row.state],
    total: row.total,
    processed: row.processed,
    accepted: row.accepted,
    rejected: row.rejected,
    bytes_read: row.bytes_read,
    bytes_total: row.bytes_total ?? '0',
    rate: Math.round((processed / seconds) * 10) / 10,
    eta_seconds: eta < 0 ? -1 : Math.round(eta * 10) / 10,
    errors: row.errors.map((e) => ({ position: String(e.position), field: e.field, reason: e.reason })),
    error: row.error,
    created_at: toTimestamp(row.created_at),
    updated_at: toTimestamp(row.updated_at),
    finished_at: row.finished_at ? toTimestamp(row.finished_at) : null,
    origin: row.origin,
    attempt: row.attempt,
    retry_at: row.retry_at ? toTimestamp(row.retry_at) : null,
    quarantined_at: row.quarantined_at ? toTimestamp(row.quarantined_at) : null,
    released_at: row.released_at ? toTimestamp(row.released_at) : null,
    applied: row.applied,
    catalog_rejected: row.catalog_rejected,
  }
}
