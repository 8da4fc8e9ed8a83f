import { decodeCursor, encodeCursor } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { fromTimestamp } from '@catalog/proto'
import { invalid } from '../errors.ts'

/*
 * Time windows of price reads: bounds checked once here, so every query below gets instants it can
 * use as index bounds. A window is [from, to): `from` inclusive, `to` excluded, in UTC.
 */

const DAY_MS = 86_400_000
/** The earliest and latest instants a window may name: years 1 to 9999, as PostgreSQL prints them. */
const EARLIEST = new Date(0).setUTCFullYear(1, 0, 1) // Date.UTC would read year 1 as 1901
const LATEST = Date.UTC(10_000, 0, 1)

export type Interval = 'day' | 'week' | 'month'

/** At most this many buckets per summary: a year of days, five years of weeks, ten of months. */
export const MAX_BUCKETS: Record<Interval, number> = { day: 366, week: 260, month: 120 }

/** The change feed's window: the most it may span, and what it spans when `since` is left out. */
export const FEED_WINDOW_MS = { default: 7 * DAY_MS, max: 92 * DAY_MS } as const

/** An optional instant of a request, checked; `undefined` when unset. */
export function instant(ts: catalog.ListPriceHistoryRequest__Output['from'], field: string): Date | undefined {
  if (!ts) return undefined
  const date = fromTimestamp(ts)
  const ms = date.getTime()
  if (!Number.isFinite(ms) || ms < EARLIEST || ms >= LATEST || ts.nanos < 0 || ts.nanos > 999_999_999) {
    throw invalid([{ field, description: 'must be an instant of the years 1 to 9999' }])
  }
  return date
}

/** `to` must come after `from`. */
export function ordered(from: Date | undefined, to: Date | undefined, fields: [string, string]): void {
  if (from && to && to.getTime() <= from.getTime()) {
    throw invalid([{ field: fields[1], description: `must be after ${fields[0]}` }])
  }
}

/** The first instant of the UTC day, Monday-week or month that holds `at`. */
export function bucketStart(at: Date, interval: Interval): Date {
  const d = new Date(at.getTime())
  d.setUTCHours(0, 0, 0, 0)
  if (interval === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7))
  if (interval === 'month') d.setUTCDate(1)
  return d
}

/** How many buckets of `interval` the window [from, to) touches. */
export function bucketCount(from: Date, to: Date, interval: Interval): number {
  const start = bucketStart(from, interval)
  if (interval === 'month') {
    const months = (to.getUTCFullYear() - start.getUTCFullYear()) * 12 + (to.getUTCMonth() - start.getUTCMonth())
    return months + (to.getTime() > bucketStart(to, 'month').getTime() ? 1 : 0)
  }
  const width = interval === 'day' ? DAY_MS : 7 * DAY_MS
  return Math.ceil((to.getTime() - start.getTime()) / width)
}

/** The bound on a summary's buckets, checked before any query runs. */
export function checkBuckets(from: Date, to: Date, interval: Interval): void {
  const n = bucketCount(from, to, interval)
  if (n > MAX_BUCKETS[interval]) {
    throw invalid([
      { field: 'from', description: `the window spans ${n} ${interval}s; a summary holds at most ${MAX_BUCKETS[interval]}` },
    ])
  }
}

/** A position in time order: the change's instant in microseconds since the epoch, and its version. */
export interface TimeKey {
  micros: string
  version: string
}

const DIGITS = /^-?[0-9]{1,17}$/
const VERSION = /^[1-9][0-9]{0,18}$/

/** A cursor of a windowed page of one item: it names the item and the order it walks. */
export function encodeRangeCursor(itemId: string, order: 'a' | 'd', key: TimeKey): string {
  return encodeCursor({ i: itemId, o: order, t: key.micros, v: key.version })
}

export function decodeRangeCursor(cursor: string, itemId: string, order: 'a' | 'd'): TimeKey {
  return decodeCursor(cursor, 'page.cursor', (value) => {
    const c = value as { i?: unknown; o?: unknown; t?: unknown; v?: unknown }
    return c.i === itemId &&
      c.o === order &&
      typeof c.t === 'string' &&
      DIGITS.test(c.t) &&
      typeof c.v === 'string' &&
      VERSION.test(c.v)
      ? { micros: c.t, version: c.v }
      : undefined
  })
}

/** A position in the change feed: instant, then item id, then version, all descending. */
export interface FeedKey extends TimeKey {
  itemId: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function encodeFeedCursor(key: FeedKey): string {
  return encodeCursor({ t: key.micros, i: key.itemId, v: key.version })
}

export function decodeFeedCursor(cursor: string): FeedKey {
  return decodeCursor(cursor, 'page.cursor', (value) => {
    const c = value as { i?: unknown; t?: unknown; v?: unknown }
    return typeof c.t === 'string' &&
      DIGITS.test(c.t) &&
      typeof c.i === 'string' &&
      UUID.test(c.i) &&
      typeof c.v === 'string' &&
      VERSION.test(c.v)
      ? { micros: c.t, itemId: c.i, version: c.v }
      : undefined
  })
}
