// Latency at a given rate, with requests sent at an even pace (open loop, as wrk2 does): a request
// goes out when it is due whether or not earlier ones were answered, so a server that stalls is
// charged for every request it kept waiting (they queue for a connection, and that wait counts).
// Each latency runs from when the request was handed to the pool; how late the generator itself
// handed them over (its pacing timer fires up to a millisecond late, more when its own process
// stalls) is reported beside, as `lag`, so a run whose generator fell behind can be told apart.
// autocannon's `overallRate` cannot measure this: each connection sends its quota for the second
// as fast as it is answered, then waits for the next second, so "half load" is full load for half
// of every second, and its correction for the wait adds a latency for every millisecond of each
// answer.
import { Pool } from 'undici'

export interface PacedOptions {
  url: string
  /** Requests per second, spread evenly over each second. */
  rate: number
  seconds: number
  connections: number
  /** The path and headers of the `n`th request. */
  request(n: number): { path: string; headers: Record<string, string> }
}

export interface PacedResult {
  /** The rate asked for, and the rate answers came back at. */
  rate: number
  achieved: number
  sent: number
  /** Answers other than 2xx or 304, requests that failed, and requests unanswered at the end. */
  errors: number
  /** Milliseconds from when each answered request went out (or queued for a connection) to its answer. */
  latency: Percentiles
  /** Milliseconds each request went out after it was due: the generator's own lateness. */
  lag: Percentiles
}

interface Percentiles {
  p50: number
  p90: number
  p99: number
  max: number
}

const TICK_MS = 1
/** How long a request may wait for its answer before it counts as failed. */
const REQUEST_TIMEOUT_MS = 10_000

/** Sends `rate` requests a second for `seconds` through a pool of `connections` and reports their latencies. */
export async function paced(opts: PacedOptions): Promise<PacedResult> {
  const total = Math.max(1, Math.round(opts.rate * opts.seconds))
  const interval = 1000 / Math.max(1e-9, opts.rate)
  const pool = new Pool(opts.url, {
    connections: opts.connections,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  })
  const latencies: number[] = []
  const lags = new Float64Array(total)
  let sent = 0
  let settled = 0
  let errors = 0
  const start = performance.now()
  const fire = (n: number) => {
    const { path, headers } = opts.request(n)
    const sentAt = performance.now()
    lags[n] = sentAt - (start + n * interval)
    pool
      .request({ method: 'GET', path, headers })
      .then(async ({ statusCode, body }) => {
        await body.dump()
        if (statusCode >= 300 && statusCode !== 304) errors += 1
        else latencies.push(performance.now() - sentAt)
      })
      .catch(() => {
        errors += 1
      })
      .finally(() => {
        settled += 1
      })
  }
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1)
      while (sent < due) fire(sent++)
      if (sent < total) setTimeout(tick, TICK_MS)
      else resolve()
    }
    tick()
  })
  // Every request has its own timeout; this bounds the wait for all of them, whatever happens.
  const giveUp = performance.now() + REQUEST_TIMEOUT_MS + 5_000
  while (settled < total && performance.now() < giveUp) await new Promise((resolve) => setTimeout(resolve, 5))
  const elapsed = (performance.now() - start) / 1000
  errors += total - settled
  await (settled < total ? pool.destroy() : pool.close())
  return {
    rate: opts.rate,
    achieved: Math.round(latencies.length / elapsed),
    sent,
    errors,
    latency: percentiles(Float64Array.from(latencies)),
    lag: percentiles(lags),
  }
}

function percentiles(values: Float64Array): Percentiles {
  values.sort()
  const at = (q: number) =>
    values.length === 0 ? 0 : Math.round((values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0) * 100) / 100
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) }
}
