import type { Metrics, Pool } from '@catalog/kit'
import { Gauge } from 'prom-client'
import { countQuarantined } from '../jobs/job-store.ts'

/**
 * The drops' gauges, read from the database at each scrape: every replica exports what any of
 * them, or the drops CronJob (whose process nobody scrapes), did. A scrape while the database is
 * away keeps the last values (readiness says the database is away).
 */
export function createDropMetrics(pool: Pool, metrics: Metrics): void {
  const registers = [metrics.registry]
  let quarantined = 0
  new Gauge({
    name: 'ingestion_drops_quarantined',
    help: 'Dropped files quarantined and not released: no scan starts them until an operator does (POST /v1/ingestions/{id}/retry).',
    registers,
    async collect() {
      quarantined = await countQuarantined(pool).catch(() => quarantined)
      this.set(quarantined)
    },
  })
  // Per drop folder scanned in the last 7 days (a folder no longer configured drops out); each
  // gauge declared with its literal name, as the observability test and a reader's grep find it.
  const perFolder = (read: string) => {
    let last: { uri: string; value: number }[] = []
    return async (gauge: Gauge) => {
      last = await pool.query<{ uri: string; value: number }>(read).then(
        (r) => r.rows,
        () => last,
      )
      gauge.reset()
      for (const { uri, value } of last) gauge.set({ uri }, value)
    }
  }
  const lastOk = perFolder(
    `SELECT DISTINCT ON (uri) uri, ok::int AS value FROM drop_scans
      WHERE finished_at > now() - interval '7 days' ORDER BY uri, finished_at DESC`,
  )
  const lastSuccess = perFolder(
    `SELECT uri, coalesce(extract(epoch FROM max(finished_at) FILTER (WHERE ok)), 0)::float8 AS value FROM drop_scans
      WHERE uri IN (SELECT uri FROM drop_scans WHERE finished_at > now() - interval '7 days') GROUP BY uri`,
  )
  new Gauge({
    name: 'ingestion_drop_scan_last_ok',
    help: "1 when the drop folder's last scan succeeded, 0 when it failed (a file it could not start or that waits; for the CronJob, a job that did not complete).",
    labelNames: ['uri'],
    registers,
    collect() {
      return lastOk(this)
    },
  })
  new Gauge({
    name: 'ingestion_drop_scan_last_success_timestamp_seconds',
    help: "When the drop folder's last successful scan ended; 0 while none has.",
    labelNames: ['uri'],
    registers,
    collect() {
      return lastSuccess(this)
    },
  })
}
