import { randomFillSync } from 'node:crypto'
import { parseTraceparent } from '@catalog/kit'

/*
 * The traceparent of a request without tracing on: the caller's trace with a new span id, or a new
 * trace. The same ids as the kit's childTraceparent, taken from a pool of random bytes refilled
 * 4 KiB at a time (as Node's randomUUID does) instead of two randomBytes calls per request.
 */
const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let used = POOL_BYTES

function randomHex(bytes: number): string {
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  const hex = pool.toString('hex', used, used + bytes)
  used += bytes
  return hex
}

/** A new span of the trace in `header` when it is a valid traceparent (its flags kept), else a new sampled trace. */
export function requestTraceparent(header: unknown): string {
  const span = randomHex(8)
  const parent = header === undefined ? undefined : parseTraceparent(header)
  // A valid traceparent is `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`.
  return parent ? `00-${parent.slice(3, 35)}-${span}-${parent.slice(53)}` : `00-${randomHex(16)}-${span}-01`
}
