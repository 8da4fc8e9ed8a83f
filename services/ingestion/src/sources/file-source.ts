import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, join, relative, resolve, sep } from 'node:path'
import { badUri, sourceNotFound } from '../errors.ts'
import { shapeOf } from '../formats/read-records.ts'
import type { Source } from './source.ts'

/**
 * file:// inputs, read only under one root folder: `file:///daily/a.ndjson` is `<root>/daily/a.ndjson`.
 * The real path (symlinks followed) must stay under the root's real path.
 */
export function fileSource(root: string): Source {
  const absoluteRoot = resolve(root)
  const locate = async (url: URL): Promise<string> => {
    if (url.host !== '') throw badUri('file:// URIs name a path under the ingest root, without a host (file:///path)')
    const path = decodeURIComponent(url.pathname)
    if (path.includes('\0') || path.split('/').includes('..')) throw badUri('must not contain ".." or NUL')
    const realRoot = await realpath(absoluteRoot).catch(() => absoluteRoot)
    const candidate = join(realRoot, path)
    let real: string
    try {
      real = await realpath(candidate)
    } catch {
      throw sourceNotFound(url.href)
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep)) throw badUri('must stay under the ingest root')
    return real
  }
  return {
    async find(url) {
      const path = await locate(url)
      const info = await stat(path)
      if (!info.isFile()) throw badUri('must name a file')
      const shape = shapeOf(path)
      if (!shape) throw badUri('must end in .ndjson, .jsonl, .json or .csv (optionally .gz)')
      const hash = createHash('sha256')
      for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk)
      return {
        uri: url.href,
        name: basename(path),
        contentKey: `sha256:${hash.digest('hex')}`,
        size: info.size,
        shape,
        open: () => createReadStream(path, { highWaterMark: 64 * 1024 }),
      }
    },
    async list(prefix) {
      const dir = await locate(prefix)
      const realRoot = await realpath(absoluteRoot)
      const entries = await readdir(dir, { withFileTypes: true })
      return entries
        .filter((e) => e.isFile() && shapeOf(e.name))
        .map((e) => `file:///${relative(realRoot, join(dir, e.name)).split(sep).map(encodeURIComponent).join('/')}`)
        .sort()
    },
  }
}
