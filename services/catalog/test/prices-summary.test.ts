import { fieldViolationsOf } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { fields, startCatalog } from './helpers/catalog.ts'
import { iso, priceless, ts, writeHistory } from './helpers/price-history.ts'

type Interval = 'PRICE_INTERVAL_DAY' | 'PRICE_INTERVAL_WEEK' | 'PRICE_INTERVAL_MONTH'

/** A series as [currency, min, max, [start, open, close, min, max, changes][]]. */
const flat = (res: catalog.SummarizePriceHistoryResponse__Output) =>
  res.series.map((s) => [
    s.currency,
    s.min_amount_minor,
    s.max_amount_minor,
    s.buckets.map((b) => [
      iso(b.start).slice(0, 10),
      Number(b.open_amount_minor),
      Number(b.close_amount_minor),
      Number(b.min_amount_minor),
      Number(b.max_amount_minor),
      b.changes,
    ]),
  ])

t.test('buckets at month ends, on a leap day and by UTC day, week and month', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const id = await priceless(cat, 'acme', 'lamp')
  await writeHistory(cat.pool, 'acme', id, [
    ['2024-01-31T23:00:00Z', 1000],
    ['2024-02-29T12:00:00Z', 900], // the leap day
    ['2024-03-01T00:00:00Z', 950], // a month's first instant: March's, not February's
  ])
  const summary = (from: string, to: string, interval: Interval) =>
    cat.client.call('SummarizePriceHistory', { item_id: id, from: ts(from), to: ts(to), interval }, acme)

  const months = await summary('2024-01-01', '2024-04-01', 'PRICE_INTERVAL_MONTH')
  t.same(flat(months), [
    [
      'EUR',
      '900',
      '1000',
      [
        ['2024-01-01', 1000, 1000, 1000, 1000, 1],
        ['2024-02-01', 1000, 900, 900, 1000, 1],
        ['2024-03-01', 950, 950, 950, 950, 1],
      ],
    ],
  ])
  t.equal(months.interval, 'PRICE_INTERVAL_MONTH')
  t.equal(months.current_price, null, 'the item has no price now')

  const days = await summary('2024-02-28', '2024-03-02', 'PRICE_INTERVAL_DAY')
  t.same(flat(days)[0]?.[3], [
    ['2024-02-28', 1000, 1000, 1000, 1000, 0],
    ['2024-02-29', 1000, 900, 900, 1000, 1],
    ['2024-03-01', 950, 950, 950, 950, 1],
  ])

  const weeks = await summary('2024-02-28', '2024-03-11', 'PRICE_INTERVAL_WEEK')
  t.same(
    flat(weeks)[0]?.[3],
    [
      ['2024-02-26', 1000, 950, 900, 1000, 2],
      ['2024-03-04', 950, 950, 950, 950, 0],
    ],
    'weeks start on Monday; the first is cut to the window and keeps its Monday',
  )

  const late = await summary('2024-01-31T23:30:00Z', '2024-02-01T00:30:00Z', 'PRICE_INTERVAL_DAY')
  t.same(
    flat(late),
    [
      [
        'EUR',
        '1000',
        '1000',
        [
          ['2024-01-31', 1000, 1000, 1000, 1000, 0],
          ['2024-02-01', 1000, 1000, 1000, 1000, 0],
        ],
      ],
    ],
    'a window across midnight UTC: two days, the price before it carried into both',
  )
})

t.test('a currency change starts a new series; empty buckets carry the price forward', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const id = await priceless(cat, 'acme', 'lamp')
  await writeHistory(cat.pool, 'acme', id, [
    ['2024-05-03T08:00:00Z', 1000, 'EUR'],
    ['2024-05-10T12:00:00Z', 1100, 'USD'],
    ['2024-05-21T00:00:00Z', 1050, 'USD'],
  ])
  const res = await cat.client.call(
    'SummarizePriceHistory',
    { item_id: id, from: ts('2024-05-01'), to: ts('2024-06-01'), interval: 'PRICE_INTERVAL_WEEK' },
    acme,
  )
  t.same(flat(res), [
    [
      'EUR',
      '1000',
      '1000',
      [
        ['2024-04-29', 1000, 1000, 1000, 1000, 1],
        ['2024-05-06', 1000, 1000, 1000, 1000, 0],
      ],
    ],
    [
      'USD',
      '1050',
      '1100',
      [
        ['2024-05-06', 1100, 1100, 1100, 1100, 1],
        ['2024-05-13', 1100, 1100, 1100, 1100, 0],
        ['2024-05-20', 1100, 1050, 1050, 1100, 1],
        ['2024-05-27', 1050, 1050, 1050, 1050, 0],
      ],
    ],
  ])
})

t.test('an empty window, a window before the first price and a removed price', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const id = await priceless(cat, 'acme', 'lamp')
  const summary = (from: string, to: string) =>
    cat.client.call('SummarizePriceHistory', { item_id: id, from: ts(from), to: ts(to), interval: 'PRICE_INTERVAL_DAY' }, acme)
  t.same((await summary('2024-01-01', '2024-01-08')).series, [], 'no history at all: no series')
  await writeHistory(cat.pool, 'acme', id, [
    ['2024-02-01T00:00:00Z', 500],
    ['2024-02-02T12:00:00Z', null],
    ['2024-02-04T00:00:00Z', 600],
  ])
  t.same((await summary('2024-01-01', '2024-01-08')).series, [], 'a window before the first price: no series')
  t.same(
    flat(await summary('2024-02-01', '2024-02-05')),
    [
      [
        'EUR',
        '500',
        '600',
        [
          ['2024-02-01', 500, 500, 500, 500, 1],
          ['2024-02-02', 500, 500, 500, 500, 0],
          ['2024-02-04', 600, 600, 600, 600, 1],
        ],
      ],
    ],
    'a day without any price is in no series; the same currency after it goes on in the same one',
  )
})

t.test('an item deleted and revived: NOT_FOUND while deleted, one history after', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const key = { source: 'shop', external_id: 'lamp' }
  const price = (amount: string) => ({ amount_minor: amount, currency: 'EUR' })
  const { item } = await cat.client.call('CreateItem', { ...key, fields: fields({ price: price('500') }) }, acme)
  const id = item?.id ?? ''
  await cat.client.call('UpdateItem', { id, fields: fields({ price: price('400') }), update_mask: { paths: ['price'] } }, acme)
  await cat.client.call('DeleteItem', { id }, acme)
  const now = Date.now()
  const window = {
    item_id: id,
    from: ts(new Date(now - 3_600_000).toISOString()),
    to: ts(new Date(now + 3_600_000).toISOString()),
  }
  const err = await cat.client.call('SummarizePriceHistory', window, acme).catch((e) => e)
  t.equal(err.code, status.NOT_FOUND, 'a deleted item has no summary')
  const listed = await cat.client.call('ListPriceHistory', window, acme).catch((e) => e)
  t.equal(listed.code, status.NOT_FOUND, 'nor a window of prices')
  const revived = await cat.client.call('UpsertItem', { ...key, fields: fields({ price: price('450') }) }, acme)
  t.equal(revived.item?.id, id, 'the same item came back')
  const res = await cat.client.call('SummarizePriceHistory', window, acme)
  t.same(res.current_price, price('450'))
  t.equal(res.series.length, 1)
  const series = res.series[0]
  t.same([series?.min_amount_minor, series?.max_amount_minor], ['400', '500'])
  t.equal(
    series?.buckets.reduce((n, b) => n + b.changes, 0),
    3,
    'the changes before the deletion and the revival',
  )
  t.equal(series?.buckets.at(-1)?.close_amount_minor, '450')
})

t.test('windows are bounded by field; another tenant gets NOT_FOUND', async (t) => {
  const cat = await startCatalog(t)
  const id = await priceless(cat, 'acme', 'lamp')
  const call = (from: string | undefined, to: string, interval: Interval, tenant = 'acme') =>
    cat.client.call(
      'SummarizePriceHistory',
      { item_id: id, ...(from ? { from: ts(from) } : {}), to: ts(to), interval },
      cat.as(tenant),
    )
  const fieldsOf = async (...args: Parameters<typeof call>) => {
    const err = await call(...args).catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT)
    return fieldViolationsOf(err).map((v) => v.field)
  }
  t.equal((await call('2024-01-01', '2025-01-01', 'PRICE_INTERVAL_DAY')).series.length, 0, '366 days (a leap year) pass')
  t.same(await fieldsOf('2024-01-01', '2025-01-01T00:00:01Z', 'PRICE_INTERVAL_DAY'), ['from'], 'a 367th day does not')
  await call('2020-01-01', '2030-01-01', 'PRICE_INTERVAL_MONTH')
  t.same(await fieldsOf('2020-01-01', '2030-01-02', 'PRICE_INTERVAL_MONTH'), ['from'], 'a 121st month does not')
  await call('2024-01-01', '2028-12-25', 'PRICE_INTERVAL_WEEK') // Monday 2024-01-01 + 260 weeks
  t.same(await fieldsOf('2024-01-01', '2028-12-26', 'PRICE_INTERVAL_WEEK'), ['from'], 'a 261st week does not')
  t.same(await fieldsOf(undefined, '2024-01-01', 'PRICE_INTERVAL_DAY'), ['from'], 'from is required')
  t.same(await fieldsOf('2024-01-02', '2024-01-01', 'PRICE_INTERVAL_DAY'), ['to'])
  const err = await call('2024-01-01', '2024-01-02', 'PRICE_INTERVAL_DAY', 'globex').catch((e) => e)
  t.equal(err.code, status.NOT_FOUND, "another tenant's item is not found")
})
