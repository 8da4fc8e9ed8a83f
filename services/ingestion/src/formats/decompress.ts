import { createGunzip } from 'node:zlib'
import { MalformedInputError } from './json-array-elements.ts'

/**
 * Gunzips a byte stream, ending it with a clear error past `maxBytes` of output (a gzip bomb) or
 * when the stream is cut short or corrupt. Memory stays at zlib's window and one chunk.
 */
export async function* gunzip(input: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Buffer> {
  const zlib = createGunzip({ chunkSize: 64 * 1024 })
  let inputFailed = false
  const feed = (async () => {
    try {
      for await (const chunk of input) if (!zlib.write(chunk)) await new Promise((r) => zlib.once('drain', r))
      zlib.end()
    } catch (err) {
      inputFailed = true
      zlib.destroy(err as Error)
    }
  })()
  let total = 0
  try {
    for await (const chunk of zlib as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > maxBytes) throw new MalformedInputError(`the gzip input expands past ${maxBytes} bytes`)
      yield chunk
    }
  } catch (err) {
    // The input's own failure (a source that could not be read) is no fault of the gzip data.
    if (inputFailed || (err as { malformed?: boolean }).malformed) throw err
    throw new MalformedInputError(`the gzip input is cut short or corrupt (${(err as Error).message})`)
  } finally {
    zlib.destroy()
    await feed
  }
}
