import type { Logger } from '@catalog/kit'
import { failFastRedis } from '../upstream/redis.ts'
import type { CachedItem } from './item-store.ts'

/*
 * Values are `<version>\n<body>`; an empty body is a floor: the item is at least at that version,
 * and nothing older may be stored over it (until its TTL). Every replica applies every item event
 * as a floor, so a replica whose fill raced a write (it read the catalog before the write, and
 * stores after another replica applied the event) cannot put the old item back for the others.
 */
const STORE_IF_NEWER = `
local held = redis.call('GET', KEYS[1])
if held then
  local version = tonumber(string.match(held, '^(%d+)'))
  local floor = string.sub(held, -1) == '\\n'
  local wanted = tonumber(ARGV[1])
  if version and (version > wanted or (version == wanted and (ARGV[2] == '' or not floor))) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '\\n' .. ARGV[2], 'PX', ARGV[3])
return 1
`

type StoreIfNewer = (key: string, version: number, body: string, ttlMs: number) => Promise<number>

export interface SharedTierOptions {
  ttlMs: number
  log: Logger
  /** A command that takes longer fails: the read goes on to the catalog rather than wait. */
  commandTimeoutMs?: number
  /** After a failure, Redis is left alone this long (no request waits on a server that is away). */
  backoffMs?: number
  prefix?: string
}

/** Floors not yet written (Redis away): retried, and past this many the tier is not read for a TTL. */
const MAX_PENDING = 10_000

/**
 * The items every replica shares, in Redis: read when a replica's own store misses, filled with
 * what it then reads from the catalog, each entry living `ttlMs`. Never in a read's way: a command
 * fails fast (no offline queue, a short timeout), a failure leaves Redis alone for `backoffMs`, and
 * the caller then goes to the catalog. Floors that could not be written are retried; until they
 * are, this replica does not read the tier (its entries may be older than the events said).
 */
export function createSharedTier(url: string, options: SharedTierOptions) {
  const { log, ttlMs } = options
  const backoffMs = options.backoffMs ?? 1_000
  const redis = failFastRedis(url, { commandTimeoutMs: options.commandTimeoutMs ?? 100, prefix: options.prefix ?? 'cache:item:' })
  redis.defineCommand('storeIfNewer', { numberOfKeys: 1, lua: STORE_IF_NEWER })
  const storeIfNewer = (redis as unknown as { storeIfNewer: StoreIfNewer }).storeIfNewer.bind(redis)
  let up = true
  let pausedUntil = 0
  let distrustedUntil = 0
  /** Floors that failed to be written, by key: retried; while there are any, this replica does not read the tier. */
  const pending = new Map<string, number>()
  let flushing = false
  const listeners = new Set<(up: boolean) => void>()

  const mark = (ok: boolean, err?: unknown) => {
    if (!ok) pausedUntil = performance.now() + backoffMs
    if (ok === up) return
    up = ok
    if (ok) log.info('shared item cache (redis) is back')
    else log.warn({ err }, 'shared item cache (redis) unreachable: reads go to the local cache and the catalog')
    for (const listener of listeners) listener(ok)
  }
  redis.on('error', () => undefined) // reported through the commands that fail; reconnects on its own
  redis.on('ready', () => {
    if (!up) void flush()
  })
  const usable = () => performance.now() >= pausedUntil

  const remember = (floors: Iterable<[string, number]>) => {
    for (const [key, version] of floors) if (version > (pending.get(key) ?? 0)) pending.set(key, version)
    if (pending.size <= MAX_PENDING) return
    // Too many to remember: what they would have removed lives out its TTL, unread by this replica.
    pending.clear()
    distrustedUntil = performance.now() + ttlMs
    log.warn({ ttlMs }, 'shared item cache: too many invalidations could not be written; not read for one TTL')
  }
  const write = async (floors: [string, number][]) => {
    const results = await Promise.allSettled(floors.map(([key, version]) => storeIfNewer(key, version, '', ttlMs)))
    const failed = floors.filter((_, i) => results[i]?.status === 'rejected')
    const err = results.find((r) => r.status === 'rejected')
    mark(failed.length === 0, err?.status === 'rejected' ? err.reason : undefined)
    return failed
  }
  const flush = async () => {
    if (flushing || pending.size === 0 || !usable()) return
    flushing = true
    try {
      const floors = [...pending]
      for (const [key, version] of floors) if (pending.get(key) === version) pending.delete(key)
      remember(await write(floors))
    } finally {
      flushing = false
    }
  }
  const retry = setInterval(() => void flush(), backoffMs)
  retry.unref()

  return {
    /** The entry of `key`, or undefined (a miss, a floor, or Redis away or not to be trusted yet). */
    async get(key: string): Promise<CachedItem | undefined | 'error'> {
      if (!usable() || pending.size > 0 || performance.now() < distrustedUntil) return 'error'
      try {
        const held = await redis.get(key)
        mark(true)
        if (held === null) return undefined
        const cut = held.indexOf('\n')
        const body = held.slice(cut + 1)
        return body === '' ? undefined : { version: Number(held.slice(0, cut)), body }
      } catch (err) {
        mark(false, err)
        return 'error'
      }
    },
    /** Stores `item` unless the key already holds it, a later version, or a floor above it; never awaited by a read. */
    store(key: string, item: CachedItem): void {
      if (!usable()) return
      storeIfNewer(key, item.version, item.body, ttlMs).then(
        () => mark(true),
        (err: unknown) => mark(false, err),
      )
    },
    /** The items are at least at these versions: older entries go, and none may come back. */
    floor(floors: { key: string; version: number }[]): void {
      const entries = floors.map(({ key, version }): [string, number] => [key, version])
      if (!usable() || pending.size > 0) {
        remember(entries)
        return
      }
      void write(entries).then(remember)
    },
    /** No item may be read from the tier for one TTL (an event that could not be read named no item). */
    distrust(): void {
      distrustedUntil = performance.now() + ttlMs
    },
    get up(): boolean {
      return up
    },
    onChange(listener: (up: boolean) => void): void {
      listeners.add(listener)
    },
    async ping(): Promise<void> {
      try {
        await redis.ping()
        mark(true)
      } catch (err) {
        mark(false, err)
        throw err
      }
    },
    async close(): Promise<void> {
      clearInterval(retry)
      redis.disconnect()
    },
  }
}

export type SharedTier = ReturnType<typeof createSharedTier>
