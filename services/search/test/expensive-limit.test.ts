import { readFileSync } from 'node:fs'
import type { Metrics } from '@catalog/kit'
import { createMetrics, errorCodeOf, isPlatformError } from '@catalog/kit'
import { pollUntil, silentLogger } from '@catalog/kit/testing'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { loadSearchConfig, searchEnv } from '../src/config.ts'
import { createExpensiveLimit } from '../src/query/expensive-limit.ts'
import { configEnv, startSearch, upserted } from './helpers/search.ts'

/** A search the test ends when it wants, so what runs at a given moment is never a matter of timing. */
function heldSearch() {
  let end!: (ok: boolean) => void
  const done = new Promise<string>((resolve, reject) => {
    end = (ok) => (ok ? resolve('answered') : reject(new Error('the search failed')))
  })
  return { search: () => done, end }
}

const refusedBy = async (metrics: Metrics) =>
  Object.fromEntries(
    ((await metrics.registry.getSingleMetric('search_expensive_refused_total')?.get())?.values ?? []).map((v) => [
      v.labels.reason,
      v.value,
    ]),
  )

const refusal = (err: unknown) => (isPlatformError(err) ? { status: err.status, message: err.message } : err)

t.test('the limit: a tenant at its own limit is refused while another tenant runs', async (t) => {
  const metrics = createMetrics({ service: 'search', defaultMetrics: false })
  const limit = createExpensiveLimit({ perTenant: 1, total: 2 }, { metrics, log: silentLogger('search') })
  const acme = heldSearch()
  const running = limit.run('acme', acme.search)
  const second = await limit.run('acme', acme.search).catch(refusal)
  t.match(second, { status: status.RESOURCE_EXHAUSTED, message: /already runs 1 searches .*\(SEARCH_EXPENSIVE_PER_TENANT\)/ })
  const other = heldSearch()
  const otherRunning = limit.run('other', other.search)
  const third = await limit.run('third', other.search).catch(refusal)
  t.match(third, { status: status.RESOURCE_EXHAUSTED, message: /already runs 2 searches .*\(SEARCH_EXPENSIVE_TOTAL\)/ })
  t.same(await refusedBy(metrics), { tenant: 1, total: 1 }, 'refusals counted by reason')

  acme.end(true)
  other.end(false)
  t.equal(await running, 'answered')
  await t.rejects(otherRunning, /the search failed/)
  const after = heldSearch()
  after.end(true)
  t.equal(await limit.run('third', after.search), 'answered', 'a slot frees when its search ends, answered or failed')
  t.equal(await limit.run('acme', after.search), 'answered')
})

t.test('searches with contains or pattern over the limit get RESOURCE_EXHAUSTED; other tenants still run', async (t) => {
  // Long enough that the searches held behind the table lock below wait for the test, not time out.
  const s = await startSearch(t, { statementTimeoutMs: 30_000, expensiveLimits: { perTenant: 1, total: 2 } })
  for (const tenant of ['acme', 'other', 'third']) await s.index(upserted({ tenant, title: `Lamp of ${tenant}` }))
  const search = (tenant: string, req: { contains?: string; pattern?: string; q?: string }) =>
    s.client.call('Search', req, s.as(tenant))
  // The test holds the table, so admitted searches stay running until it lets go.
  const lock = await s.pool.connect()
  t.teardown(async () => {
    await lock.query('ROLLBACK')
    lock.release()
  })
  await lock.query('BEGIN')
  await lock.query('LOCK TABLE search_items IN ACCESS EXCLUSIVE MODE')
  // Searches admitted and held at the lock. Read outside the lock's transaction, which would see
  // the same snapshot of pg_stat_activity each time.
  const waiting = async () =>
    (
      await s.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      )
    ).rows[0]?.n ?? 0

  const acme = search('acme', { pattern: '^Lamp' })
  await pollUntil(waiting, (n) => n === 1)
  const refused = await search('acme', { contains: 'lamp' }).catch((e) => e)
  t.equal(refused.code, status.RESOURCE_EXHAUSTED, "the tenant's second expensive search is refused")
  t.equal(errorCodeOf(refused), 'SRCH_ERR_TOO_MANY_EXPENSIVE')
  t.match(refused.details, /SEARCH_EXPENSIVE_PER_TENANT/)

  const other = search('other', { contains: 'lamp' })
  await pollUntil(waiting, (n) => n === 2)
  const full = await search('third', { pattern: 'Lamp' }).catch((e) => e)
  t.equal(full.code, status.RESOURCE_EXHAUSTED, 'past the total, any tenant is refused')
  t.match(full.details, /SEARCH_EXPENSIVE_TOTAL/)

  await lock.query('COMMIT')
  t.same(
    (await acme).hits.map((h) => h.title),
    ['Lamp of acme'],
    'the held search is answered',
  )
  t.same(
    (await other).hits.map((h) => h.title),
    ['Lamp of other'],
    "another tenant's search ran beside it",
  )
  t.equal((await search('third', { pattern: 'Lamp' })).hits.length, 1, 'slots free as searches end')
  t.equal((await search('acme', { q: 'lamp' })).hits.length, 1, 'word searches are not limited')
  t.same(await refusedBy(s.metrics), { tenant: 1, total: 1 })
})

t.test('the limits are settings, checked at start against each other and the pool', async (t) => {
  const config = loadSearchConfig(configEnv())
  t.equal(config.SEARCH_EXPENSIVE_PER_TENANT, 2)
  t.equal(config.SEARCH_EXPENSIVE_TOTAL, 8, 'below the default pool of 10')
  t.throws(
    () => loadSearchConfig(configEnv({ SEARCH_EXPENSIVE_PER_TENANT: '0' })),
    /invalid configuration: .*SEARCH_EXPENSIVE_PER_TENANT/,
  )
  t.throws(
    () => loadSearchConfig(configEnv({ SEARCH_EXPENSIVE_TOTAL: 'many' })),
    /invalid configuration: .*SEARCH_EXPENSIVE_TOTAL/,
  )
  t.throws(
    () => loadSearchConfig(configEnv({ DATABASE_POOL_MAX: '8' })),
    /SEARCH_EXPENSIVE_TOTAL \(8\) must be below DATABASE_POOL_MAX \(8\)/,
    'a total that could take the whole pool',
  )
  t.throws(
    () => loadSearchConfig(configEnv({ SEARCH_EXPENSIVE_PER_TENANT: '5', SEARCH_EXPENSIVE_TOTAL: '4' })),
    /SEARCH_EXPENSIVE_PER_TENANT \(5\) must not exceed SEARCH_EXPENSIVE_TOTAL \(4\)/,
  )
})

t.test('the chart sets both limits at the service defaults, the total below its pool', async (t) => {
  const values = readFileSync(new URL('../../../helm/search/values.yaml', import.meta.url), 'utf8')
  const setting = (key: string) => Number(new RegExp(`^ {2}${key}: *(\\d+)$`, 'm').exec(values)?.[1])
  for (const key of ['SEARCH_EXPENSIVE_PER_TENANT', 'SEARCH_EXPENSIVE_TOTAL'] as const)
    t.equal(setting(key), (searchEnv.properties[key] as { default?: unknown }).default, `${key} is the service default`)
  t.ok(setting('SEARCH_EXPENSIVE_TOTAL') < setting('poolMax'), 'database.poolMax leaves connections beside the total')
})
