import { csvRecords } from './csv-records.ts'
import { gunzip } from './decompress.ts'
import { jsonArrayElements } from './json-array-elements.ts'
import { ndjsonLines } from './ndjson-lines.ts'
import type { DecodedRecord } from './record-decoder.ts'
import { decodeJsonRecord } from './record-decoder.ts'

export const FORMATS = ['ndjson', 'json', 'csv'] as const
export type Format = (typeof FORMATS)[number]

export interface InputShape {
  format: Format
  gzip: boolean
}

/** The format of a file from its name (`.ndjson`, `.jsonl`, `.json`, `.csv`, each optionally `.gz`) and content type. */
export function shapeOf(name: string, contentType = '', contentEncoding = ''): InputShape | undefined {
  const lower = name.toLowerCase()
  const gzip = lower.endsWith('.gz') || /gzip/i.test(contentEncoding) || /gzip/i.test(contentType)
  const base = lower.replace(/\.gz$/, '')
  const format: Format | undefined =
    base.endsWith('.ndjson') || base.endsWith('.jsonl') || /ndjson|jsonl/i.test(contentType)
      ? 'ndjson'
      : base.endsWith('.csv') || /text\/csv/i.test(contentType)
        ? 'csv'
        : base.endsWith('.json') || /application\/json/i.test(contentType)
          ? 'json'
          : undefined
  return format ? { format, gzip } : undefined
}

/** Every record of an input, decoded, in order; errors of the input as a whole are thrown. */
export async function* readRecords(
  input: AsyncIterable<Buffer>,
  shape: InputShape,
  limits: { maxDecompressedBytes: number },
): AsyncGenerator<DecodedRecord> {
  const bytes = shape.gzip ? gunzip(input, limits.maxDecompressedBytes) : input
  switch (shape.format) {
    case 'ndjson':
      for await (const raw of ndjsonLines(bytes)) yield decodeJsonRecord(raw)
      return
    case 'json':
      for await (const raw of jsonArrayElements(bytes)) yield decodeJsonRecord(raw)
      return
    case 'csv':
      yield* csvRecords(bytes)
  }
}
