import type { Timestamp, Timestamp__Output } from './gen/google/protobuf/Timestamp.ts'

export function toTimestamp(date: Date): Timestamp {
  const ms = date.getTime()
  const seconds = Math.floor(ms / 1000)
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 }
}

/** Millisecond precision, like JavaScript dates and the catalog's timestamptz columns. */
export function fromTimestamp(ts: Timestamp__Output): Date {
  return new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000))
}
