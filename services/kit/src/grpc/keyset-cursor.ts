import { invalidArgument } from '../runtime/errors.ts'

/**
 * Opaque page cursors: the keyset of the last row, base64url-encoded JSON. Callers treat them as
 * opaque; the server checks their shape on the way back in, so a forged or mangled cursor is
 * INVALID_ARGUMENT on the named field, never an error inside a query.
 */
export function encodeCursor(keyset: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(keyset)).toString('base64url')
}

export function decodeCursor<T>(cursor: string, field: string, parse: (value: unknown) => T | undefined): T {
  let parsed: T | undefined
  if (cursor.length <= 512 && /^[A-Za-z0-9_-]+$/.test(cursor)) {
    try {
      parsed = parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
    } catch {
      parsed = undefined
    }
  }
  if (parsed === undefined) throw invalidArgument([{ field, description: 'is not a cursor this server issued' }])
  return parsed
}
