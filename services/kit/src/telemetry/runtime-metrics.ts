import { X509Certificate } from 'node:crypto'
import { Counter, Gauge } from 'prom-client'
import type { Pool } from '../postgres/postgres.ts'
import type { TlsFiles } from '../tls/tls.ts'
import { certificateInUse, onTlsReloadRejected } from '../tls/tls-credentials.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'

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
 * When the certificate this process serves expires (a renewal shows once it is applied, within
 * TLS_REFRESH_MS): the alert on it fires long before mTLS would fail. And each re-read of the
 * watched files that was not applied (a key that does not match its certificate, mid-rotation),
 * counted and logged: one is a rotation caught between its two files, many are a broken Secret.
 */
export function certificateMetrics(tls: TlsFiles, metrics: Metrics, log?: Logger): void {
  const rejected = new Counter({
    name: 'tls_reload_rejected_total',
    help: 'Re-reads of the TLS files not applied (the key does not match the certificate); the last good pair stays in use.',
    registers: [metrics.registry],
  })
  onTlsReloadRejected(tls, (reason) => {
    rejected.inc()
    log?.warn(
      { reason, certFile: tls.watch?.certFile, keyFile: tls.watch?.keyFile },
      'TLS files not applied; keeping the last good certificate and trying again at the next read',
    )
  })
  new Gauge({
    name: 'tls_certificate_expiry_timestamp_seconds',
    help: "The end of validity of this workload's certificate, in seconds since the epoch.",
    registers: [metrics.registry],
    collect() {
      // The certificate in use, not the file: a renewal refused (its key does not match) still expires.
      this.set(Date.parse(new X509Certificate(certificateInUse(tls)).validTo) / 1000)
    },
  })
}
