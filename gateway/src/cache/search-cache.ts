import type { FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import type { Static } from 'typebox'
import type { SearchQuery } from '../schemas/search.ts'
import type { CacheMetrics } from './cache-metrics.ts'
import { wantsFresh } from './item-cache.ts'

type Query = Static<typeof SearchQuery>

export interface SearchCacheOptions {
  ttlMs: number
  maxEntries: number
  maxBytes: number
  /** Whether queries with `pattern` are cached too. */
  patterns: boolean
  metrics: CacheMetrics
}

/**
 * The query as the search service understands it, so that spellings of one query share an entry:
 * every parameter by name (a new one takes part without a change here), words with their spaces
 * collapsed, tags as a sorted set, the default limit written out. Undefined for a query this cache
 * leaves alone (a `pattern`, unless patterns are cached).
 */
export function searchKey(tenant: string, query: Query, patterns: boolean): string | undefined {
  if (query.pattern && !patterns) return undefined
  const normal: Record<string, unknown> = { ...query, limit: query.limit ?? 20 }
  if (typeof query.q === 'string') normal.q = query.q.trim().replace(/\s+/g, ' ')
  if (typeof query.tags === 'string') {
    const tags = query.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
    normal.tags = [...new Set(tags)].sort()
  }
  const names = Object.keys(normal)
    .filter((name) => normal[name] !== undefined && normal[name] !== '')
    .sort()
  return JSON.stringify([tenant, ...names.map((name) => [name, normal[name]])])
}

const OVERHEAD = 160

/**
 * Search pages of each tenant, kept `ttlMs` (a second or so): the same page asked by many users at
 * once costs one search. Nothing invalidates them; the search index itself trails the catalog by
 * its indexer's delay, and a page is at most `ttlMs` older than that.
 */
export function createSearchCache(options: SearchCacheOptions) {
  const { metrics } = options
  const pages = new LRUCache<string, { body: string; size: number }>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (page) => page.size,
    ttl: options.ttlMs,
    updateAgeOnGet: false,
  })
  const sized = {
    get entries() {
      return pages.size
    },
    get bytes() {
      return pages.calculatedSize
    },
  }
  metrics.track('search', sized)
  /** Searches on their way, by key: requests for the same page at once share one. */
  const inflight = new Map<string, Promise<string>>()
  return {
    /** The cached page for `request` and what to fill it with, or the reason it goes past the cache. */
    async read(
      request: FastifyRequest<{ Querystring: Query }>,
      load: () => Promise<string>,
    ): Promise<{ body: string; outcome: 'hit' | 'miss' | 'bypass' }> {
      const tenant = request.principal?.tenant
      const key = tenant ? searchKey(tenant, request.query, options.patterns) : undefined
      if (key === undefined) {
        metrics.request('search', 'bypass')
        return { body: await load(), outcome: 'bypass' }
      }
      const fresh = wantsFresh(request.headers['cache-control'])
      const held = fresh ? undefined : pages.get(key)
      if (held) {
        metrics.request('search', 'hit')
        return { body: held.body, outcome: 'hit' }
      }
      const shared = fresh ? undefined : inflight.get(key)
      if (shared) {
        // Another request's search failed (its own deadline, say): this one makes its own.
        const body = await shared.catch(() => undefined)
        if (body !== undefined) {
          metrics.request('search', 'hit')
          return { body, outcome: 'hit' }
        }
      }
      const outcome = fresh ? 'bypass' : 'miss'
      metrics.request('search', outcome)
      const loading = load()
      inflight.set(key, loading)
      try {
        const body = await loading
        pages.set(key, { body, size: key.length + Buffer.byteLength(body) + OVERHEAD })
        return { body, outcome }
      } finally {
        if (inflight.get(key) === loading) inflight.delete(key)
      }
    },
  }
}

export type SearchCache = ReturnType<typeof createSearchCache>
