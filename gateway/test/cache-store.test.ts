// The item store's rules, without servers: which fills a write or an event refuses, its bounds, the
// search cache's keys, and the cache settings refused at start.
import t from 'tap'
import { createItemStore, itemKey } from '../src/cache/item-store.ts'
import { searchKey } from '../src/cache/search-cache.ts'
import { loadGatewayConfig } from '../src/config.ts'
import { gatewayEnv } from './helpers/gateway.ts'

const store = (overrides: Partial<Parameters<typeof createItemStore>[0]> = {}) =>
  createItemStore({
    maxEntries: 1_000,
    maxBytes: 1024 * 1024,
    ttlMs: 60_000,
    negativeTtlMs: 60_000,
    fillWindowMs: 10_000,
    ...overrides,
  })
const item = (version: number, body = `{"version":${version}}`) => ({ found: true as const, item: { version, body } })
const key = itemKey('tenant-a', '0196F0C2-0000-7000-8000-000000000001')

t.test('keys carry the tenant, and ids in any case are one key', async (t) => {
  t.equal(key, itemKey('tenant-a', '0196f0c2-0000-7000-8000-000000000001'))
  t.not(key, itemKey('tenant-b', '0196f0c2-0000-7000-8000-000000000001'))
})

t.test('a read that began before an event cannot fill the version the event replaced', async (t) => {
  const s = store()
  const ticket = s.ticket()
  s.invalidate(key, 2)
  t.notOk(s.fill(key, item(1), ticket), 'v1 refused: v2 was written while it was read')
  t.equal(s.get(key), undefined)
  t.ok(s.fill(key, item(2), ticket), 'v2 (what the event said) is fine')
  t.ok(s.fill(key, item(3), s.ticket()), 'and a read begun later fills')
})

t.test('a read that began before a delete fills nothing, not even the 404', async (t) => {
  const s = store()
  const ticket = s.ticket()
  s.invalidate(key)
  t.notOk(s.fill(key, item(5), ticket))
  t.notOk(s.fill(key, { found: false, error: new Error('not found') }, ticket))
  t.ok(s.fill(key, { found: false, error: new Error('not found') }, s.ticket()))
  t.equal(s.get(key)?.found, false)
})

t.test("a replica's own write stays when the event of that write (or an older one) arrives", async (t) => {
  const s = store()
  s.put(key, { version: 4, body: 'v4' })
  t.notOk(s.invalidate(key, 4), 'its own event')
  t.notOk(s.invalidate(key, 3), 'an older one')
  const held = s.get(key)
  t.equal(held?.found ? held.item.body : undefined, 'v4')
  t.ok(s.invalidate(key, 5), 'a later one evicts')
  t.equal(s.get(key), undefined)
})

t.test("a write's answer that arrives after the event of a later write is not kept", async (t) => {
  const s = store()
  s.invalidate(key, 1)
  s.invalidate(key, 2)
  s.invalidate(key, 1)
  s.put(key, { version: 1, body: 'v1' })
  t.equal(s.get(key), undefined, 'v2 was announced before the v1 answer arrived: not cached')
  s.put(key, { version: 2, body: 'v2' })
  const held = s.get(key)
  t.equal(held?.found ? held.item.body : undefined, 'v2', 'the announced version itself is kept')
})

t.test('a cached 404 goes with any event of its id', async (t) => {
  const s = store()
  s.fill(key, { found: false, error: new Error('not found') }, s.ticket())
  t.ok(s.invalidate(key, 1))
  t.equal(s.get(key), undefined)
})

t.test('a clear refuses every read in flight', async (t) => {
  const s = store()
  const ticket = s.ticket()
  s.clear()
  t.notOk(s.fill(key, item(1), ticket))
  t.ok(s.fill(key, item(1), s.ticket()))
})

t.test('marks pushed out by a flood of invalidations refuse every older read instead', async (t) => {
  const s = store({ maxEntries: 10 })
  const ticket = s.ticket()
  for (let i = 0; i < 10_001; i++) s.invalidate(itemKey('tenant-a', `id-${i}`), 1)
  t.notOk(s.fill(itemKey('tenant-a', 'id-0'), item(0), ticket), 'its mark is gone, yet the fill is refused')
})

t.test('bounded in bytes and in entries', async (t) => {
  const bytes = store({ maxBytes: 64 * 1024 })
  for (let i = 0; i < 100; i++) bytes.fill(itemKey('t', `id-${i}`), item(1, 'x'.repeat(4_000)), bytes.ticket())
  t.ok(bytes.bytes <= 64 * 1024, `${bytes.bytes} bytes`)
  t.ok(bytes.entries < 20)
  const entries = store({ maxEntries: 10 })
  for (let i = 0; i < 100; i++) entries.fill(itemKey('t', `id-${i}`), item(1), entries.ticket())
  t.equal(entries.entries, 10)
})

t.test('search keys: one per tenant and query, whatever its spelling; none for a pattern unless asked', async (t) => {
  const a = searchKey('t1', { q: ' red  lamp ', tags: 'b,a,a', limit: 20 }, false)
  t.equal(a, searchKey('t1', { q: 'red lamp', tags: 'a, b' }, false))
  t.not(a, searchKey('t2', { q: 'red lamp', tags: 'a,b' }, false), 'another tenant')
  t.not(a, searchKey('t1', { q: 'red lamp', tags: 'a,b', cursor: 'x' }, false), 'another page')
  t.equal(searchKey('t1', { pattern: '^la' }, false), undefined)
  t.type(searchKey('t1', { pattern: '^la' }, true), 'string')
})

t.test('cache settings that could not work, or would be ignored, stop the start with their names', async (t) => {
  const base = gatewayEnv('/jwks.json', 'localhost:1')
  const refused = (env: Record<string, string>, pattern: RegExp) =>
    t.throws(() => loadGatewayConfig({ ...base, ...env }), { message: pattern }, Object.keys(env).join(' '))
  refused({ CACHE_ITEMS: 'true' }, /CACHE_ITEMS needs KAFKA_BROKERS/)
  refused({ CACHE_SHARED: 'true', KAFKA_BROKERS: 'k:9092' }, /set CACHE_ITEMS=true too/)
  refused({ CACHE_ITEMS: 'true', CACHE_SHARED: 'true', KAFKA_BROKERS: 'k:9092' }, /CACHE_SHARED needs CACHE_REDIS_URL/)
  refused({ CACHE_REDIS_URL: 'redis://r:6379' }, /CACHE_REDIS_URL is set without CACHE_SHARED/)
  refused({ CACHE_NEGATIVE_TTL_MS: '60000', CACHE_TTL_MS: '1000' }, /CACHE_NEGATIVE_TTL_MS is longer than CACHE_TTL_MS/)
  refused({ CACHE_ITEMS: 'true', KAFKA_BROKERS: 'k:9092', KAFKA_SASL_USERNAME: 'gateway' }, /without KAFKA_SASL_MECHANISM/)
  const config = loadGatewayConfig({
    ...base,
    CACHE_ITEMS: 'true',
    CACHE_SHARED: 'true',
    KAFKA_BROKERS: 'k:9092',
    REDIS_URL: 'redis://r:6379',
  })
  t.equal(config.CACHE_ITEMS_MAX_BYTES, 64 * 1024 * 1024, 'with REDIS_URL the shared tier takes the rate limiter Redis')
})
