import type { RawRecord } from './record-limits.ts'
import { RECORD_LIMITS } from './record-limits.ts'

/** The input as a whole is unreadable (not an array, cut short): the job fails with this. */
export class MalformedInputError extends Error {
  readonly malformed = true
}

const C = {
  Space: 0x20,
  Tab: 0x09,
  Lf: 0x0a,
  Cr: 0x0d,
  Comma: 0x2c,
  Quote: 0x22,
  Backslash: 0x5c,
  OpenBracket: 0x5b,
  CloseBracket: 0x5d,
  OpenBrace: 0x7b,
  CloseBrace: 0x7d,
} as const

const isSpace = (b: number) => b === C.Space || b === C.Tab || b === C.Lf || b === C.Cr

/**
 * Cuts a top-level JSON array into the bytes of its elements, one at a time, scanning structure
 * only (strings, escapes, nesting): memory stays at one element, whatever the array's length.
 * An element over the byte limit or nested deeper than the depth limit becomes an error record
 * and the scan goes on after it, so one bad element cannot sink the rest.
 *
 * Written here rather than taken from stream-json: its parser builds each element before anyone
 * can bound its size or depth, which is what a hostile upload attacks.
 */
export async function* jsonArrayElements(
  input: AsyncIterable<Buffer>,
  limits: { bytes: number; depth: number } = RECORD_LIMITS,
): AsyncGenerator<RawRecord> {
  type State = 'before' | 'between' | 'element' | 'after'
  let state = 'before' as State
  let parts: Buffer[] = []
  let size = 0
  let depth = 0
  let maxDepth = 0
  let inString = false
  let escaped = false
  let position = 0
  let first = true

  const take = (chunk: Buffer, from: number, to: number) => {
    if (to <= from) return
    if (size + (to - from) <= limits.bytes) parts.push(Buffer.from(chunk.subarray(from, to)))
    size += to - from
  }
  const finish = (): RawRecord => {
    position++
    const bytes = Buffer.concat(parts)
    const record: RawRecord =
      size > limits.bytes
        ? { position, bytes: bytes.subarray(0, 256), error: `element larger than ${limits.bytes} bytes` }
        : maxDepth > limits.depth
          ? { position, bytes: bytes.subarray(0, 256), error: `element nested deeper than ${limits.depth} levels` }
          : { position, bytes, depth: maxDepth }
    parts = []
    size = 0
    maxDepth = 0
    return record
  }

  for await (const chunk of input) {
    let i = 0
    if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3
    first = false
    // An element that began in an earlier chunk goes on from this chunk's first byte.
    let start = state === 'element' ? i : -1
    for (; i < chunk.length; i++) {
      const b = chunk[i] as number
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false
          else if (b === C.Backslash) escaped = true
          else if (b === C.Quote) inString = false
          continue
        }
        if (b === C.Quote) inString = true
        else if (b === C.OpenBracket || b === C.OpenBrace) {
          depth++
          if (depth > maxDepth) maxDepth = depth
        } else if (b === C.CloseBracket || b === C.CloseBrace) {
          if (depth === 0) {
            // The array's own closing bracket ends a scalar element.
            take(chunk, start, i)
            start = -1
            yield finish()
            state = 'after'
            continue
          }
          depth--
        } else if (b === C.Comma && depth === 0) {
          take(chunk, start, i)
          start = -1
          yield finish()
          state = 'between'
        }
        continue
      }
      if (isSpace(b)) continue
      if (state === 'before') {
        if (b !== C.OpenBracket) throw new MalformedInputError('the input must be a JSON array of items')
        state = 'between'
      } else if (state === 'between') {
        if (b === C.CloseBracket && position === 0) state = 'after'
        else if (b === C.Comma || b === C.CloseBracket)
          throw new MalformedInputError(`misplaced "${String.fromCharCode(b)}" after element ${position}`)
        else {
          state = 'element'
          start = i
          i-- // Rescan this byte as part of the element.
        }
      } else {
        throw new MalformedInputError('content after the end of the JSON array')
      }
    }
    if (state === 'element' && start >= 0) take(chunk, start, chunk.length)
  }
  // An empty input holds no records; an array that never closes was cut short.
  const end = state as State
  if (end === 'between' || end === 'element') throw new MalformedInputError('the JSON array is cut short')
}
