import type { ServiceError } from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CacheMetrics, Outcome } from './cache-metrics.ts'
import type { ItemChange } from './invalidation-stream.ts'
import type { CachedItem, ItemStore } from './item-store.ts'
import { itemKey } from './item-store.ts'
import type { SharedTier } from './shared-tier.ts'

export interface ItemCacheDeps {
  store: ItemStore
  /** The Redis tier, when configured. */
  shared?: SharedTier
  /** Whether the invalidation stream is live: while it is not, the cache is neither read nor filled. */
  isLive(): boolean
  metrics: CacheMetrics
}

export interface CachedAnswer {
  item: CachedItem
  outcome: Exclude<Outcome, 'error'>
}

/** `Cache-Control: no-cache` (or `max-age=0`, `no-store`) from the client: the catalog must answer. */
export function wantsFresh(header: string | undefined): boolean {
  return header !== undefined && /(?:^|,)\s*(?:no-cache|no-store|max-age\s*=\s*0)\s*(?:,|$)/i.test(header)
}

const isNotFound = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as ServiceError).code === status.NOT_FOUND && 'metadata' in err

/**
 * GET /v1/items/{id} through the caches: this replica's store, then the shared tier, then the
 * catalog (whose answer fills both; its NOT_FOUND fills this replica's briefly). A read with
 * `Cache-Control: no-cache` goes to the catalog and refreshes the caches with its answer. Writes
 * through this replica put their answer in before the client has it; the events of every write
 * (through any replica, the ingest consumer, a bulk load) remove what they change.
 */
export function createItemCache(deps: ItemCacheDeps) {
  const { store, shared, metrics } = deps
  metrics.track('items', store)

  return {
    /**
     * The item `id` for the caller of `request`, or the error the catalog gives (a cached 404 again);
     * the reply's `X-Cache` says which: `hit`, `miss` (asked the catalog and kept its answer), or
     * `bypass` (asked the catalog because the client said no-cache or the cache cannot be trusted now).
     */
    async read(request: FastifyRequest, reply: FastifyReply, id: string, load: () => Promise<CachedItem>): Promise<CachedAnswer> {
      const tenant = request.principal?.tenant
      if (!tenant || !deps.isLive()) {
        metrics.request('items', 'bypass')
        reply.header('x-cache', 'bypass')
        return { item: await load(), outcome: 'bypass' }
      }
      const key = itemKey(tenant, id)
      const ticket = store.ticket()
      const fresh = wantsFresh(request.headers['cache-control'])
      if (!fresh) {
        const held = store.get(key)
        if (held) {
          metrics.request('items', 'hit')
          reply.header('x-cache', 'hit')
          if (!held.found) throw held.error
          return { item: held.item, outcome: 'hit' }
        }
        if (shared) {
          const got = await shared.get(key)
          metrics.request('items_shared', got === 'error' ? 'error' : got ? 'hit' : 'miss')
          if (got && got !== 'error') {
            store.fill(key, { found: true, item: got }, ticket)
            metrics.request('items', 'hit')
            reply.header('x-cache', 'hit')
            return { item: got, outcome: 'hit' }
          }
        }
      }
      const outcome = fresh ? 'bypass' : 'miss'
      metrics.request('items', outcome)
      reply.header('x-cache', outcome)
      let item: CachedItem
      try {
        item = await load()
      } catch (err) {
        if (isNotFound(err)) store.fill(key, { found: false, error: err }, ticket)
        throw err
      }
      if (store.fill(key, { found: true, item }, ticket)) shared?.store(key, item)
      return { item, outcome }
    },
    /** This replica wrote the item (created or changed it): its answer is what the next read gets. */
    wrote(tenant: string, id: string, item: CachedItem): void {
      const key = itemKey(tenant, id)
      store.put(key, item)
      shared?.store(key, item)
    },
    /** This replica deleted the item, which is now at `version`; undefined when the write's outcome is unknown. */
    removed(tenant: string, id: string, version?: number): void {
      const key = itemKey(tenant, id)
      if (store.invalidate(key)) metrics.invalidated('items', 'write')
      if (version !== undefined) shared?.floor([{ key, version }])
    },
    /** Events read from catalog.item.v1. */
    apply(changes: ItemChange[]): void {
      const now = Date.now()
      let removed = 0
      const floors: { key: string; version: number }[] = []
      for (const change of changes) {
        const key = itemKey(change.tenant, change.id)
        if (store.invalidate(key, change.deleted ? undefined : change.version)) removed += 1
        floors.push({ key, version: change.version })
        metrics.delay((now - change.writtenAt) / 1000)
      }
      metrics.invalidated('items', 'event', removed)
      shared?.floor(floors)
    },
    /** An event could not be read: whatever it changed, nothing cached is trusted. */
    unknownChange(): void {
      metrics.invalidated('items', 'unreadable', store.entries)
      store.clear()
      shared?.distrust()
    },
    /**
     * The stream is live, at the topic's end: after a gap, whose events were not read, nothing cached
     * before it is trusted; nor the shared tier for one TTL, since every replica may have been cut off.
     */
    restart(afterGap: boolean): void {
      metrics.invalidated('items', 'reconnect', store.entries)
      store.clear()
      if (afterGap) shared?.distrust()
    },
  }
}

export type ItemCache = ReturnType<typeof createItemCache>
