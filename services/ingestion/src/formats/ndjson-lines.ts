import type { RawRecord } from './record-limits.ts'
import { RECORD_LIMITS } from './record-limits.ts'

const NEWLINE = 0x0a

/**
 * Cuts a byte stream into NDJSON lines without holding more than one line (at most the limit):
 * a longer line becomes an error record and its rest is skipped. Blank lines are skipped but
 * counted, so positions are the lines a person sees in an editor.
 *
 * Written here rather than taken from split2 or readline: both decode before splitting (hiding
 * invalid UTF-8 behind replacement characters) and neither reports an overlong line as a record.
 */
export async function* ndjsonLines(
  input: AsyncIterable<Buffer>,
  maxBytes: number = RECORD_LIMITS.bytes,
): AsyncGenerator<RawRecord> {
  let parts: Buffer[] = []
  let size = 0
  let overflow = false
  let line = 0
  const finish = (): RawRecord | undefined => {
    line++
    const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)
    const wasOverflow = overflow
    parts = []
    size = 0
    overflow = false
    if (wasOverflow) return { position: line, bytes: bytes.subarray(0, 256), error: `line longer than ${maxBytes} bytes` }
    const text = stripCr(bytes)
    return isBlank(text) ? undefined : { position: line, bytes: text }
  }
  for await (const chunk of input) {
    let start = 0
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start)
      const end = nl === -1 ? chunk.length : nl
      if (!overflow) {
        if (size + (end - start) > maxBytes) {
          overflow = true
          if (size === 0) parts.push(chunk.subarray(start, Math.min(end, start + 256)))
        } else {
          // Copy: the caller's chunk may be reused, and a line may outlive it.
          parts.push(Buffer.from(chunk.subarray(start, end)))
          size += end - start
        }
      }
      if (nl === -1) break
      const record = finish()
      if (record) yield record
      start = nl + 1
    }
  }
  if (size > 0 || overflow) {
    const record = finish()
    if (record) yield record
  }
}

const stripCr = (b: Buffer) => (b.length > 0 && b[b.length - 1] === 0x0d ? b.subarray(0, b.length - 1) : b)

function isBlank(b: Buffer): boolean {
  for (const byte of b) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false
  return true
}
