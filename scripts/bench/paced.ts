// Latency at a given rate, with requests sent at an even pace (open loop, as wrk2 does): a request
// goes out when it is due whether or not earlier ones were answered, so a server that stalls is
// charged for every request it kept waiting (they queue for a connection, and that wait counts).
// Each latency runs from when the request was handed to the pool: the timer that paces them fires
// up to a millisecond late, which is the generator's delay, not the server's. autocannon's
// `overallRate` cannot measure this: each
// connection sends its quota for the second as fast as it is answered, then waits for the next
// second, so "half load" is full load for half of every second, and its correction for the wait
// adds a latency for every millisecond of each answer.
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
  rate: number
  sent: number
  /** Answers other than 2xx or 304, and requests that failed. */
  errors: number
  /** Milliseconds from when each request went out (or queued for a connection) to its answer. */
  latency: { p50: number; p90: number; p99: number; max: number }
}

const TICK_MS = 1

/** Sends `rate` requests a second for `seconds` through a pool of `connections` and reports their latencies. */
export async function paced(opts: PacedOptions): Promise<PacedResult> {
  const pool = new Pool(opts.url, { connections: opts.connections, pipelining: 1 })
  const total = Math.round(opts.rate * opts.seconds)
  const latencies = new Float64Array(total)
  const interval = 1000 / opts.rate
  let sent = 0
  let answered = 0
  let errors = 0
  const start = performance.now()
  const fire = (n: number) => {
    const { path, headers } = opts.request(n)
    const sentAt = performance.now()
    pool
      .request({ method: 'GET', path, headers })
      .then(async ({ statusCode, body }) => {
        await body.dump()
        if (statusCode >= 300 && statusCode !== 304) errors += 1
      })
      .catch(() => {
        errors += 1
      })
      .finally(() => {
        latencies[n] = performance.now() - sentAt
        answered += 1
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
  while (answered < total) await new Promise((resolve) => setTimeout(resolve, 5))
  await pool.close()
  latencies.sort()
  const at = (q: number) => Math.round((latencies[Math.min(total - 1, Math.floor(q * total))] ?? 0) * 100) / 100
  return { rate: opts.rate, sent, errors, latency: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) } }
}
