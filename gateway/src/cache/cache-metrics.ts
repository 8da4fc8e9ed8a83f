import type { Metrics } from '@catalog/kit'
import { Counter, Gauge, Histogram } from 'prom-client'

/** The caches by name: `items` (each replica's), `items_shared` (Redis), `search`. */
export type CacheName = 'items' | 'items_shared' | 'search'

/** Whether a request was answered from the cache, went to its backend and filled it, or went past it. */
export type Outcome = 'hit' | 'miss' | 'bypass' | 'error'

export interface Sized {
  readonly entries: number
  readonly bytes: number
}

/** The metrics of every cache of one gateway, and the gauges read from the stores at each scrape. */
export function cacheMetrics(metrics: Metrics) {
  const registers = [metrics.registry]
  const sized = new Map<CacheName, Sized>()
  const requests = new Counter({
    name: 'cache_requests_total',
    help: 'Reads that asked a cache, by cache and outcome: hit, miss (filled from the backend), bypass (no-cache, or the invalidation stream down), error (Redis away).',
    labelNames: ['cache', 'outcome'],
    registers,
  })
  new Gauge({
    name: 'cache_entries',
    help: 'Entries held, by cache (this replica).',
    labelNames: ['cache'],
    registers,
    collect() {
      for (const [cache, store] of sized) this.set({ cache }, store.entries)
    },
  })
  new Gauge({
    name: 'cache_bytes',
    help: 'Bytes held (bodies and keys, with a fixed overhead per entry), by cache (this replica).',
    labelNames: ['cache'],
    registers,
    collect() {
      for (const [cache, store] of sized) this.set({ cache }, store.bytes)
    },
  })
  const evictions = new Counter({
    name: 'cache_invalidations_total',
    help: 'Entries removed before their TTL, by cache and cause: event (catalog.item.v1), write (through this replica), reconnect (the stream came back after a gap), unreadable (an event that did not decode).',
    labelNames: ['cache', 'cause'],
    registers,
  })
  const delay = new Histogram({
    name: 'cache_invalidation_delay_seconds',
    help: "From the catalog's write (the event's time) to this replica applying its event: how stale a cached item can be.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60],
    registers,
  })
  // Registered on first use: a replica without the item cache (or without Redis) exports no 0 to alert on.
  let streamUp: Gauge | undefined
  let sharedUp: Gauge | undefined
  return {
    track(cache: CacheName, store: Sized): void {
      sized.set(cache, store)
    },
    request(cache: CacheName, outcome: Outcome): void {
      requests.inc({ cache, outcome })
    },
    invalidated(cache: CacheName, cause: 'event' | 'write' | 'reconnect' | 'unreadable', n = 1): void {
      if (n > 0) evictions.inc({ cache, cause }, n)
    },
    delay(seconds: number): void {
      if (Number.isFinite(seconds)) delay.observe(Math.max(0, seconds))
    },
    streamUp(up: boolean): void {
      streamUp ??= new Gauge({
        name: 'cache_invalidation_stream_up',
        help: '1 while this replica reads catalog.item.v1 and serves from its item cache, 0 while the cache is bypassed.',
        registers,
      })
      streamUp.set(up ? 1 : 0)
    },
    sharedUp(up: boolean): void {
      sharedUp ??= new Gauge({
        name: 'cache_shared_up',
        help: '1 while the shared item cache (Redis) answers, 0 while reads skip it.',
        registers,
      })
      sharedUp.set(up ? 1 : 0)
    },
  }
}

export type CacheMetrics = ReturnType<typeof cacheMetrics>
