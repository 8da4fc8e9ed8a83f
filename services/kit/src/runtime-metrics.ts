import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Gauge } from 'prom-client'
import type { Metrics } from './metrics.ts'
import type { Pool } from './postgres.ts'
import type { TlsFiles } from './tls.ts'

/** Connections of the pool by state, and callers waiting for one: a pool too small shows as waiting > 0. */
export function poolMetrics(pool: Pool, metrics: Metrics): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool connections, by state (idle, busy), and callers waiting for one (waiting).',
    labelNames: ['state'],
    registers: [metrics.registry],
    collect() {
      this.set({ state: 'idle' }, pool.idleCount)
      this.set({ state: 'busy' }, pool.totalCount - pool.idleCount)
      this.set({ state: 'waiting' }, pool.waitingCount)
    },
  })
}

/**
 * When this process's own certificate expires, read from the file it serves (so a renewal shows
 * at the next scrape): the alert on it fires long before mTLS would fail.
 */
export function certificateMetrics(tls: TlsFiles, metrics: Metrics): void {
  new Gauge({
    name: 'tls_certificate_expiry_timestamp_seconds',
    help: "The end of validity of this workload's certificate, in seconds since the epoch.",
    registers: [metrics.registry],
    collect() {
      try {
        const pem = tls.watch ? readFileSync(tls.watch.certFile) : tls.cert
        this.set(Date.parse(new X509Certificate(pem).validTo) / 1000)
      } catch {
        // Unreadable mid-rotation: the next scrape tells.
      }
    },
  })
}
