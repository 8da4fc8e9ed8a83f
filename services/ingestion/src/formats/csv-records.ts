import { Readable, Transform } from 'node:stream'
import { parse } from 'csv-parse'
import { MalformedInputError } from './json-array-elements.ts'
import type { DecodedRecord } from './record-decoder.ts'
import { RECORD_LIMITS } from './record-limits.ts'

const COLUMNS = new Set([
  'source',
  'external_id',
  'title',
  'description',
  'tags',
  'price_amount_minor',
  'price_currency',
  'published_at',
  'attributes',
])
const ATTRIBUTE_COLUMN = /^attributes\.(.+)$/

/**
 * Reads CSV with a header row into item objects: `tags` split on `|`, `price_amount_minor` and
 * `price_currency` into `price`, `attributes` as a JSON object and `attributes.<name>` columns
 * as string attributes. An unknown column fails the job at the header (every row would fail);
 * a malformed row, an overlong record or invalid UTF-8 is a record error.
 */
export async function* csvRecords(
  input: AsyncIterable<Buffer>,
  maxBytes: number = RECORD_LIMITS.bytes,
): AsyncGenerator<DecodedRecord> {
  const guard = new OverlongRecordGuard(maxBytes)
  const skipped: DecodedRecord[] = []
  let lastSkipped = 0
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      const unknown = header.find((c) => !COLUMNS.has(c) && !ATTRIBUTE_COLUMN.test(c))
      if (unknown !== undefined) throw new MalformedInputError(`unknown CSV column "${unknown}"`)
      if (!header.includes('external_id') || !header.includes('title'))
        throw new MalformedInputError('the CSV header must name external_id and title')
      return header
    },
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      const lines = (err as { lines?: number } | undefined)?.lines ?? 0
      // The parser may report one bad row more than once (a stray quote, then its length).
      if (lines <= lastSkipped) return
      lastSkipped = lines
      skipped.push({
        position: lines,
        raw: Buffer.alloc(0),
        error: { field: '', reason: `malformed CSV row: ${err?.message ?? ''}` },
      })
    },
    info: true,
    relax_quotes: false,
  })
  const source = Readable.from(input).pipe(guard)
  source.on('error', (err) => parser.destroy(err))
  source.pipe(parser)
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (guard.overlong.length > 0 && (guard.overlong[0] as number) <= info.lines)
      yield overlong(guard.overlong.shift() as number, maxBytes)
    while (skipped.length > 0 && (skipped[0] as DecodedRecord).position < info.lines) yield skipped.shift() as DecodedRecord
    yield csvRowToItem(record, info.lines)
  }
  for (const line of guard.overlong) yield overlong(line, maxBytes)
  yield* skipped
}

const overlong = (line: number, maxBytes: number): DecodedRecord => ({
  position: line,
  raw: Buffer.alloc(0),
  error: { field: '', reason: `record longer than ${maxBytes} bytes` },
})

/** A CSV row (its columns by header) as an item, or why it is none; also how a replay reads a dead-lettered row again. */
export function csvRowToItem(row: Record<string, string>, position: number): DecodedRecord {
  const raw = Buffer.from(JSON.stringify(row))
  const item: Record<string, unknown> = {}
  const attributes: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(row)) {
    if (value.includes('\uFFFD')) return { position, raw, error: { field: column, reason: 'not valid UTF-8' } }
    const attribute = ATTRIBUTE_COLUMN.exec(column)
    if (attribute) {
      if (value !== '') attributes[attribute[1] as string] = value
    } else if (column === 'tags') {
      item.tags = value === '' ? [] : value.split('|')
    } else if (column === 'attributes') {
      if (value === '') continue
      try {
        Object.assign(attributes, JSON.parse(value))
      } catch {
        return { position, raw, error: { field: 'attributes', reason: 'must be a JSON object' } }
      }
    } else if (column === 'price_amount_minor' || column === 'price_currency') {
      // Joined below.
    } else if (value !== '' || column === 'title' || column === 'external_id') {
      item[column] = value
    }
  }
  const amount = row.price_amount_minor ?? ''
  const currency = row.price_currency ?? ''
  if (amount !== '' || currency !== '') item.price = { amount_minor: amount, currency }
  if (Object.keys(attributes).length > 0) item.attributes = attributes
  return { position, raw, value: item }
}

/**
 * Drops any CSV record longer than the limit before the parser sees it (the parser would keep
 * growing the field), leaving its lines empty so line numbers still match, and notes its line.
 * It follows just enough of RFC 4180 to find record ends: a quote opens a field only at its
 * start, `""` inside is an escape, newlines inside quotes belong to the field.
 */
class OverlongRecordGuard extends Transform {
  readonly overlong: number[] = []
  private field: 'start' | 'plain' | 'quoted' | 'quote-in-quoted' = 'start'
  private line = 1
  private recordLines = 0
  private held: Buffer[] = []
  private heldBytes = 0
  private dropping = false
  private readonly maxBytes: number

  constructor(maxBytes: number) {
    super()
    this.maxBytes = maxBytes
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    let from = 0
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]
      if (b === 0x0a) this.recordLines++
      if (this.field === 'quoted') {
        if (b === 0x22) this.field = 'quote-in-quoted'
        continue
      }
      if (b === 0x22) this.field = this.field === 'start' ? 'quoted' : this.field === 'quote-in-quoted' ? 'quoted' : 'plain'
      else if (b === 0x2c) this.field = 'start'
      else if (b === 0x0a) {
        this.field = 'start'
        this.hold(chunk.subarray(from, i + 1))
        this.endRecord()
        from = i + 1
      } else this.field = 'plain'
    }
    this.hold(chunk.subarray(from))
    done()
  }

  override _flush(done: (err?: Error | null) => void): void {
    this.endRecord()
    done()
  }

  private hold(part: Buffer): void {
    if (part.length === 0 || this.dropping) return
    if (this.heldBytes + part.length > this.maxBytes) {
      this.dropping = true
      this.held = []
      this.heldBytes = 0
      return
    }
    this.held.push(Buffer.from(part))
    this.heldBytes += part.length
  }

  private endRecord(): void {
    if (this.dropping) {
      this.overlong.push(this.line + Math.max(0, this.recordLines - 1))
      this.push(Buffer.from('\n'.repeat(this.recordLines)))
    } else if (this.held.length > 0) {
      this.push(Buffer.concat(this.held))
    }
    this.line += this.recordLines
    this.recordLines = 0
    this.held = []
    this.heldBytes = 0
    this.dropping = false
  }
}
