/** Bounds on one input record, whatever the format: past them a record is an error, not a crash. */
export const RECORD_LIMITS = {
  /** Bytes of one line (NDJSON, CSV) or one element (JSON array). */
  bytes: 1024 * 1024,
  /** Nesting of arrays and objects within one record. */
  depth: 32,
} as const

/** One record as cut from the input: its bytes, or why it could not be cut. */
export interface RawRecord {
  /** 1-based line (NDJSON, CSV) or element (JSON array). */
  position: number
  bytes: Buffer
  /** Set when the record broke a limit; `bytes` then holds only its beginning. */
  error?: string
  /** The nesting depth, when the cutter already measured it: the decoder then need not scan again. */
  depth?: number
}
