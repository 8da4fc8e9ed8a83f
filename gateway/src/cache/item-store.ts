import { LRUCache } from 'lru-cache'

/** An item as GET /v1/items/{id} answers it: the body serialized once, and the version its ETag names. */
export interface CachedItem {
  readonly body: string
  readonly version: number
}

/** What a key holds: the item, or the catalog's NOT_FOUND for it (replayed as the catalog said it). */
export type CacheEntry = { readonly found: true; readonly item: CachedItem } | { readonly found: false; readonly error: unknown }

/** Taken when a read starts; its fill is refused if the key was invalidated since. */
export interface Ticket {
  readonly seq: number
  readonly at: number
}

export interface ItemStoreOptions {
  maxEntries: number
  maxBytes: number
  /** The longest any entry lives, whatever the events say: the bound if an invalidation is ever missed. */
  ttlMs: number
  negativeTtlMs: number
  /** The longest a read may take between its ticket and its fill (a request's deadline, with margin). */
  fillWindowMs: number
}

/** Bytes an entry costs beyond its body: the key, the entry objects, the LRU's slots. */
const OVERHEAD = 160
const NEGATIVE_SIZE = 512

/** The key of an item: the tenant first, so that no answer can ever reach another tenant. */
export function itemKey(tenant: string, id: string): string {
  return `${tenant}\n${id.toLowerCase()}`
}

/**
 * One replica's items, in an LRU bounded in entries and in bytes (lru-cache), each entry living at
 * most `ttlMs`. An invalidation leaves a mark on its key for `fillWindowMs`, so a read that started
 * before it (and may carry what the catalog held before the write) cannot fill the key after it:
 * without the marks, a slow read racing a write would cache the old item until the TTL.
 */
export function createItemStore(options: ItemStoreOptions) {
  const entries = new LRUCache<string, CacheEntry & { size: number }>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => entry.size,
    ttl: options.ttlMs,
    // A hit does not make an entry live longer: the TTL bounds how old an answer can be.
    updateAgeOnGet: false,
  })
  let seq = 0
  /** Fills whose ticket is older than this are refused: a clear, or a mark pushed out of `marks`. */
  let refusedBefore = 0
  /** Per key, the last invalidation's sequence number and the version it said the item is at (-1: unknown, or gone). */
  const marks = new LRUCache<string, { seq: number; version: number }>({
    // Past this many keys invalidated within one fill window (a bulk load), the oldest marks go, and
    // every read in flight is refused its fill instead.
    max: Math.max(10_000, options.maxEntries),
    ttl: options.fillWindowMs,
    dispose: (mark, _key, reason) => {
      if (reason === 'evict') refusedBefore = Math.max(refusedBefore, mark.seq)
    },
  })
  const mark = (key: string, version = -1) => {
    seq += 1
    // Of two known versions the mark keeps the later: an answer that arrives late cannot lower it.
    const prev = marks.get(key)
    marks.set(key, { seq, version: prev && version >= 0 && prev.version > version ? prev.version : version })
  }
  /** A read begun before the key's last invalidation may still fill it with the version that invalidation named, or a later one. */
  const stale = (key: string, entry: CacheEntry, ticket: Ticket) => {
    const last = marks.get(key)
    if (!last || last.seq <= ticket.seq) return false
    return !entry.found || last.version < 0 || entry.item.version < last.version
  }
  const sizeOf = (key: string, entry: CacheEntry) =>
    key.length + OVERHEAD + (entry.found ? Buffer.byteLength(entry.item.body) : NEGATIVE_SIZE)

  return {
    get(key: string): CacheEntry | undefined {
      return entries.get(key)
    },
    ticket(): Ticket {
      return { seq, at: performance.now() }
    },
    /** Stores what a read found, unless the key was invalidated (or the store cleared) since its ticket; false then. */
    fill(key: string, entry: CacheEntry, ticket: Ticket): boolean {
      if (ticket.seq < refusedBefore || performance.now() - ticket.at > options.fillWindowMs) return false
      if (stale(key, entry, ticket)) return false
      const held = entries.get(key)
      if (held?.found && entry.found && held.item.version > entry.item.version) return false
      entries.set(key, { ...entry, size: sizeOf(key, entry) }, entry.found ? {} : { ttl: options.negativeTtlMs })
      return true
    },
    /** A write through this replica: its answer replaces the entry, and reads begun before it cannot fill. */
    put(key: string, item: CachedItem): void {
      const announced = marks.get(key)?.version ?? -1
      mark(key, item.version)
      // An event named a later version before this write's answer got here: it is not the latest.
      if (announced > item.version) return
      const held = entries.get(key)
      if (held?.found && held.item.version > item.version) return
      const entry: CacheEntry = { found: true, item }
      entries.set(key, { ...entry, size: sizeOf(key, entry) })
    },
    /**
     * The item changed (to `version`, when known): its entry goes unless it already holds that
     * version or a later one (this replica's own write, say). A NOT_FOUND always goes.
     */
    invalidate(key: string, version?: number): boolean {
      mark(key, version)
      const held = entries.peek(key)
      if (!held) return false
      if (held.found && version !== undefined && held.item.version >= version) return false
      entries.delete(key)
      return true
    },
    /** Everything goes, and no read begun before this may fill. */
    clear(): void {
      seq += 1
      refusedBefore = seq
      entries.clear()
      marks.clear()
    },
    get entries(): number {
      return entries.size
    },
    get bytes(): number {
      return entries.calculatedSize
    },
  }
}

export type ItemStore = ReturnType<typeof createItemStore>
