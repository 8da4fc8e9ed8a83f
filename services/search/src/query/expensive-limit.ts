import type { Logger, Metrics } from '@catalog/kit'
import { Counter } from 'prom-client'
import { tooManyExpensive } from '../errors.ts'
import type { SearchQuery } from './query-rules.ts'

/*
 * A substring or a regex scans what the trigram index cannot narrow (a short substring, a pattern
 * with no literal run), so a few of them hold a connection and a database core each for up to the
 * statement timeout. They run under two limits, counted in this process: the tenant's own, so one
 * tenant cannot take every slot, and a total below the pool size, so word searches and the indexer
 * always find a connection. Past either a search is refused at once (RESOURCE_EXHAUSTED, a 429 at
 * the gateway), never queued: a queue would only hold the client's request open for longer.
 */

export interface ExpensiveLimits {
  perTenant: number
  total: number
}

type ExpensiveRefusal = 'tenant' | 'total'

export const isExpensive = (query: SearchQuery) => Boolean(query.contains || query.pattern)

export function createExpensiveLimit(limits: ExpensiveLimits, deps: { metrics: Metrics; log: Logger }) {
  const refused = new Counter({
    name: 'search_expensive_refused_total',
    help: 'Searches with contains or pattern refused at a concurrency limit: the tenant’s own, or the process total.',
    labelNames: ['reason'],
    registers: [deps.metrics.registry],
  })
  const running = new Map<string, number>()
  let total = 0

  const refusal = (tenant: string): ExpensiveRefusal | undefined => {
    if ((running.get(tenant) ?? 0) >= limits.perTenant) return 'tenant'
    if (total >= limits.total) return 'total'
    return undefined
  }
  const release = (tenant: string) => {
    total--
    const left = (running.get(tenant) ?? 1) - 1
    // Tenants come and go: only those with a search running keep an entry.
    if (left === 0) running.delete(tenant)
    else running.set(tenant, left)
  }

  return {
    /** Runs `search` in one of the tenant's slots, or refuses it without running it. */
    async run<T>(tenant: string, search: () => Promise<T>): Promise<T> {
      const reason = refusal(tenant)
      if (reason) {
        const limit = reason === 'tenant' ? limits.perTenant : limits.total
        refused.inc({ reason })
        // The metric cannot name the tenant (one series each); the log line can, for the runbook.
        deps.log.info({ tenant, reason, limit }, 'expensive search refused')
        throw tooManyExpensive(reason, limit)
      }
      total++
      running.set(tenant, (running.get(tenant) ?? 0) + 1)
      try {
        return await search()
      } finally {
        release(tenant)
      }
    },
  }
}

export type ExpensiveLimit = ReturnType<typeof createExpensiveLimit>
