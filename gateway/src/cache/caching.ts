import type { Check, Logger, Metrics } from '@catalog/kit'
import { createKafka, kafkaConnection } from '@catalog/kit'
import type { GatewayConfig } from '../config.ts'
import { cacheMetrics } from './cache-metrics.ts'
import type { InvalidationStream } from './invalidation-stream.ts'
import { startInvalidationStream } from './invalidation-stream.ts'
import type { ItemCache } from './item-cache.ts'
import { createItemCache } from './item-cache.ts'
import { createItemStore } from './item-store.ts'
import type { SearchCache } from './search-cache.ts'
import { createSearchCache } from './search-cache.ts'
import type { SharedTier } from './shared-tier.ts'
import { createSharedTier } from './shared-tier.ts'

export interface Caching {
  /** GatewayDeps.cache: what the routes read through. */
  items?: ItemCache
  search?: SearchCache
  /** What readiness reports: the stream and Redis, both soft (the gateway serves without them). */
  checks: Record<string, Check>
  /** Whether the item cache is served from (its invalidation stream is live). */
  readonly live: boolean
  close(): Promise<void>
}

/**
 * The caches the configuration asks for. The item cache starts bypassed, and serves once its
 * stream of catalog.item.v1 is live; the gateway does not wait for it to start.
 */
export function caching(config: GatewayConfig, deps: { log: Logger; metrics: Metrics }): Caching {
  const { log } = deps
  const metrics = cacheMetrics(deps.metrics)
  const search =
    config.CACHE_SEARCH_TTL_MS > 0
      ? createSearchCache({
          ttlMs: config.CACHE_SEARCH_TTL_MS,
          maxEntries: config.CACHE_SEARCH_MAX_ENTRIES,
          maxBytes: config.CACHE_SEARCH_MAX_BYTES,
          patterns: config.CACHE_SEARCH_PATTERN,
          metrics,
        })
      : undefined
  if (!config.CACHE_ITEMS || !config.KAFKA_BROKERS) {
    return { search, checks: {}, live: false, close: async () => undefined }
  }

  const store = createItemStore({
    maxEntries: config.CACHE_ITEMS_MAX_ENTRIES,
    maxBytes: config.CACHE_ITEMS_MAX_BYTES,
    ttlMs: config.CACHE_TTL_MS,
    negativeTtlMs: config.CACHE_NEGATIVE_TTL_MS,
    fillWindowMs: config.REQUEST_TIMEOUT_MS * 2,
  })
  const redisUrl = config.CACHE_REDIS_URL ?? config.REDIS_URL
  const shared: SharedTier | undefined =
    config.CACHE_SHARED && redisUrl ? createSharedTier(redisUrl, { ttlMs: config.CACHE_TTL_MS, log }) : undefined
  metrics.streamUp(false)
  if (shared) {
    metrics.sharedUp(true)
    shared.onChange((up) => metrics.sharedUp(up))
  }
  let stream: InvalidationStream | undefined
  const items = createItemCache({ store, shared, metrics, isLive: () => stream?.live === true })
  const kafka = createKafka({ ...kafkaConnection(config), clientId: config.SERVICE_NAME, log })
  stream = startInvalidationStream(kafka, {
    groupPrefix: config.CACHE_GROUP_PREFIX,
    log,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    silenceMs: config.CACHE_STREAM_SILENCE_MS,
    onChanges: (changes) => items.apply(changes),
    onUnknownChange: () => items.unknownChange(),
    onLive: (afterGap) => {
      items.restart(afterGap)
      metrics.streamUp(true)
    },
    onDown: () => metrics.streamUp(false),
  })
  const live = stream
  return {
    items,
    search,
    checks: {
      // Down, reads go to the catalog as they would without a cache: slower, never stale.
      cache_invalidation: {
        soft: true,
        check: async () => {
          if (!live.live) throw new Error('the invalidation stream (catalog.item.v1) is not live: the item cache is bypassed')
        },
      },
      ...(shared
        ? {
            cache_redis: {
              soft: true,
              check: async () => {
                await shared.ping().catch((err: Error) => {
                  throw new Error(`the shared item cache is away, reads skip it: ${err.message}`)
                })
              },
            },
          }
        : {}),
    },
    get live() {
      return live.live
    },
    async close() {
      await live.stop()
      await shared?.close()
    },
  }
}
