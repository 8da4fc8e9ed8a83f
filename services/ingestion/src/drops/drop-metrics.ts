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
  /** Per drop folder scanned in the last 7 days (a folder no longer configured drops out). */
  const perFolder = (name: string, help: string, read: string) => {
    let last: { uri: string; value: number }[] = []
    new Gauge({
      name,
      help,
      labelNames: ['uri'],
      registers,
      async collect() {
        last = await pool.query<{ uri: string; value: number }>(read).then(
          (r) => r.rows,
          () => last,
        )
        this.reset()
        for (const { uri, value } of last) this.set({ uri }, value)
      },
    })
  }
  perFolder(
    'ingestion_drop_scan_last_ok',
    "1 when the drop folder's last scan succeeded, 0 when it failed (a file it could not start or that waits; for the CronJob, a job that did not complete).",
    `SELECT DISTINCT ON (uri) uri, ok::int AS value FROM drop_scans
      WHERE finished_at > now() - interval '7 days' ORDER BY uri, finished_at DESC`,
  )
  perFolder(
    'ingestion_drop_scan_last_success_timestamp_seconds',
    "When the drop folder's last successful scan ended; 0 while none has.",
    `SELECT uri, coalesce(extract(epoch FROM max(finished_at) FILTER (WHERE ok)), 0)::float8 AS value FROM drop_scans
      WHERE uri IN (SELECT uri FROM drop_scans WHERE finished_at > now() - interval '7 days') GROUP BY uri`,
  )
}
