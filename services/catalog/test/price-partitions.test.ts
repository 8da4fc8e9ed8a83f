import t from 'tap'
import { listChanges } from '../src/prices/price-changes.ts'
import {
  dropPricePartitions,
  ensurePricePartitions,
  maintainPricePartitions,
  pricePartitions,
} from '../src/prices/price-partitions.ts'
import { listPricesInWindow } from '../src/prices/price-store.ts'
import { fields, startCatalog } from './helpers/catalog.ts'
import { priceless, writeHistory } from './helpers/price-history.ts'

const month = (iso: string) => new Date(`${iso}-01T00:00:00Z`)
const names = async (pool: Parameters<typeof pricePartitions>[0]) => (await pricePartitions(pool)).map((p) => p.name)

t.test('price history is kept by month: made ahead, a write always has its month, old ones dropped whole', async (t) => {
  const cat = await startCatalog(t)
  const now = new Date()
  const current = `price_history_${now.getUTCFullYear()}_${String(now.getUTCMonth() + 1).padStart(2, '0')}`
  const made = await names(cat.pool)
  t.ok(made.includes(current), 'the migration made the current month')
  t.ok(made.length >= 4, 'and the three after it')

  // A write stamped now lands in the current month, with the price it replaced.
  const { item } = await cat.client.call(
    'CreateItem',
    { source: 'shop', external_id: 'lamp', fields: fields({ title: 'Lamp', price: { amount_minor: '1000', currency: 'EUR' } }) },
    cat.as('acme'),
  )
  await cat.client.call(
    'UpdateItem',
    {
      id: item?.id ?? '',
      fields: fields({ title: 'Lamp', price: { amount_minor: '800', currency: 'EUR' } }),
      update_mask: { paths: ['price'] },
      expected_version: '1',
    },
    cat.as('acme'),
  )
  const { rows } = await cat.pool.query(
    `SELECT tableoid::regclass::text AS part, amount_minor::int AS amount, old_amount_minor::int AS old
       FROM price_history WHERE item_id = $1 ORDER BY item_version`,
    [item?.id],
  )
  t.same(rows, [
    { part: current, amount: 1000, old: null },
    { part: current, amount: 800, old: 1000 },
  ])

  // The past's months, for history written at chosen instants; a second run makes nothing.
  t.same(await ensurePricePartitions(cat.pool, month('2023-11'), month('2024-02')), [
    'price_history_2023_11',
    'price_history_2023_12',
    'price_history_2024_01',
    'price_history_2024_02',
  ])
  t.same(await ensurePricePartitions(cat.pool, month('2023-11'), month('2024-02')), [])
  const old = await priceless(cat, 'acme', 'old')
  await writeHistory(cat.pool, 'acme', old, [
    ['2023-11-30T23:59:59Z', 100],
    ['2023-12-01T00:00:00Z', 200],
    ['2024-01-15T00:00:00Z', 300],
    ['2024-02-01T00:00:00Z', 400],
  ])

  // Retention to 2024-01-10: November and December 2023 are wholly past it; January is not.
  t.same(await dropPricePartitions(cat.pool, new Date('2024-01-10T00:00:00Z')), [
    'price_history_2023_11',
    'price_history_2023_12',
  ])
  const left = await cat.pool.query('SELECT amount_minor::int AS a FROM price_history WHERE item_id = $1 ORDER BY changed_at', [
    old,
  ])
  t.same(
    left.rows.map((r) => r.a),
    [300, 400],
    'only what is past it, a whole month at a time',
  )
  t.ok((await names(cat.pool)).includes(current), 'the current month stays')

  // The maintenance pass: months ahead made, nothing dropped without a retention.
  const pass = await maintainPricePartitions(cat.pool, { monthsAhead: 6, retentionDays: 0 }, now)
  t.equal(pass?.dropped.length, 0)
  t.equal(pass?.made.length, 3, 'the fourth to the sixth month ahead (the migration made three)')
  const withRetention = await maintainPricePartitions(cat.pool, { monthsAhead: 6, retentionDays: 400 }, now)
  t.ok(
    withRetention?.dropped.every((name) => name < current),
    `a retention drops past months only (${withRetention?.dropped.join(', ')})`,
  )
})

t.test('a window of prices and the change feed read only the months of their window (the plans)', async (t) => {
  const cat = await startCatalog(t)
  await ensurePricePartitions(cat.pool, month('2024-01'), month('2024-12'))
  const item = await priceless(cat, 'acme', 'chair')
  await writeHistory(
    cat.pool,
    'acme',
    item,
    Array.from(
      { length: 12 },
      (_, i) => [`2024-${String(i + 1).padStart(2, '0')}-15T00:00:00Z`, 1000 + i * 100] as [string, number],
    ),
  )
  /** The partitions a statement's plan scans, run with its parameters (pruning at execution included). */
  const scanned = async (run: (db: { query: typeof cat.pool.query }) => Promise<unknown>) => {
    const seen = new Set<string>()
    const explaining = {
      query: async (config: { text: string; values: unknown[] } | string, values?: unknown[]) => {
        const text = typeof config === 'string' ? config : config.text
        const params = typeof config === 'string' ? values : config.values
        const { rows } = await cat.pool.query(`EXPLAIN (ANALYZE, COSTS OFF, FORMAT JSON) ${text}`, params)
        const walk = (node: Record<string, unknown>) => {
          const relation = node['Relation Name']
          if (typeof relation === 'string' && relation.startsWith('price_history_') && node['Actual Loops'] !== 0)
            seen.add(relation)
          for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child)
        }
        walk((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]?.Plan ?? {})
        return { rows: [] }
      },
    } as unknown as { query: typeof cat.pool.query }
    await run(explaining)
    return [...seen].sort()
  }
  t.same(
    await scanned((db) =>
      listPricesInWindow(
        db,
        'acme',
        item,
        { from: '2024-03-01T00:00:00Z', to: '2024-05-01T00:00:00Z', order: 'asc', after: undefined },
        11,
      ),
    ),
    ['price_history_2024_03', 'price_history_2024_04'],
    "an item's window: its two months",
  )
  t.same(
    await scanned((db) =>
      listChanges(
        db,
        'acme',
        {
          since: new Date('2024-06-10T00:00:00Z'),
          until: new Date('2024-06-17T00:00:00Z'),
          direction: 1,
          minPercent: 10,
          currency: null,
          after: undefined,
        },
        51,
      ),
    ),
    ['price_history_2024_06'],
    "the feed's week: its month",
  )

  // A page reads a bounded chunk of its window: filters that keep nothing of it answer a short
  // (here empty) page that says where the next resumes, until the window ends.
  const query = {
    since: new Date('2024-01-01T00:00:00Z'),
    until: new Date('2025-01-01T00:00:00Z'),
    direction: 1 as const,
    minPercent: 0,
    currency: null,
  }
  const first = await listChanges(cat.pool, 'acme', { ...query, after: undefined }, 51, 5)
  t.same(first.rows, [], 'no drops: every change of the chair is a rise')
  t.equal(
    first.resumeAt && new Date(Number(BigInt(first.resumeAt.micros) / 1000n)).toISOString(),
    '2024-08-15T00:00:00.000Z',
    'five changes read, newest first',
  )
  const second = await listChanges(cat.pool, 'acme', { ...query, after: first.resumeAt }, 51, 5)
  t.equal(second.resumeAt && new Date(Number(BigInt(second.resumeAt.micros) / 1000n)).toISOString(), '2024-03-15T00:00:00.000Z')
  const third = await listChanges(cat.pool, 'acme', { ...query, after: second.resumeAt }, 51, 5)
  t.same(third, { rows: [], resumeAt: undefined }, 'the window ends: no next page')
  const rises = await listChanges(cat.pool, 'acme', { ...query, direction: 2, after: undefined }, 3, 5)
  t.equal(rises.rows.length, 3, 'a page filled within its chunk')
  t.equal(rises.resumeAt, undefined, 'continues from its last change instead')
})
