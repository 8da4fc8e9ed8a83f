import { createHash } from 'node:crypto'
import type { Stats } from 'node:fs'
import { createReadStream } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, join, relative, resolve, sep } from 'node:path'
import { badUri, sourceNotFound } from '../errors.ts'
import { shapeOf } from '../formats/read-records.ts'
import type { Source } from './source.ts'
import { decodedPath, outsideArea } from './tenant-area.ts'

/** Files whose content key is remembered: enough for a drop folder's files, bounded all the same. */
const KEY_CACHE_SIZE = 10_000
/**
 * A file modified this recently is hashed again next time: a rewrite of the same size within one
 * tick of the file system's clock would keep its stamp (git's "racy clean" case).
 */
const SETTLED_MS = 5_000

/** The hex SHA-256 of a file's bytes. */
async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk)
  return hash.digest('hex')
}

/**
 * file:// inputs, read only under one root folder: `file:///tenants/acme/a.ndjson` is
 * `<root>/tenants/acme/a.ndjson`. The path must start with the caller's area before anything is
 * looked up, and its real path (symlinks followed) must stay in the area's folder under the root's
 * real path, compared byte for byte: a symlinked area or another case of its name is outside.
 */
export function fileSource(root: string, options: { hashFile?: (path: string) => Promise<string> } = {}): Source {
  const absoluteRoot = resolve(root)
  const contentKey = contentKeys(options.hashFile ?? sha256File)
  const locate = async (url: URL, area: string): Promise<string> => {
    if (url.host !== '') throw badUri('file:// URIs name a path under the ingest root, without a host (file:///path)')
    const path = decodedPath(url)
    if (path === undefined) throw badUri('must be validly percent-encoded, without NUL, "." or ".." segments')
    if (!path.startsWith(`/${area}`)) throw outsideArea(url, area)
    const realRoot = await realpath(absoluteRoot).catch(() => absoluteRoot)
    const base = join(realRoot, area)
    let real: string
    try {
      real = await realpath(join(realRoot, path))
    } catch {
      throw sourceNotFound(url.href)
    }
    if (real !== base.replace(/\/$/, '') && !real.startsWith(base)) throw outsideArea(url, area)
    return real
  }
  return {
    async find(url, area) {
      const path = await locate(url, area)
      const info = await stat(path)
      if (!info.isFile()) throw badUri('must name a file')
      const shape = shapeOf(path)
      if (!shape) throw badUri('must end in .ndjson, .jsonl, .json or .csv (optionally .gz)')
      return {
        uri: url.href,
        name: basename(path),
        contentKey: await contentKey(path, info),
        size: info.size,
        shape,
        open: (signal) => createReadStream(path, { highWaterMark: 64 * 1024, ...(signal ? { signal } : {}) }),
      }
    },
    async list(prefix, area) {
      const dir = await locate(prefix, area)
      const realRoot = await realpath(absoluteRoot)
      const entries = await readdir(dir, { withFileTypes: true })
      return entries
        .filter((e) => e.isFile() && shapeOf(e.name))
        .map((e) => `file:///${relative(realRoot, join(dir, e.name)).split(sep).map(encodeURIComponent).join('/')}`)
        .sort()
    },
  }
}

/**
 * Content keys remembered by real path while the file's size, mtime, ctime and inode stay the
 * same, so each drop scan does not read every file of the folder again; a file written since gets
 * a new key. A key is remembered only for a settled file that did not change while it was hashed.
 */
function contentKeys(hashFile: (path: string) => Promise<string>) {
  const cache = new Map<string, { stamp: string; key: string }>()
  const stampOf = (info: Stats) => `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`
  return async (path: string, info: Stats): Promise<string> => {
    const stamp = stampOf(info)
    const cached = cache.get(path)
    if (cached?.stamp === stamp) return cached.key
    const hashedAt = Date.now()
    const key = `sha256:${await hashFile(path)}`
    cache.delete(path)
    const after = await stat(path).catch(() => undefined)
    if (info.mtimeMs < hashedAt - SETTLED_MS && after && stampOf(after) === stamp) {
      cache.set(path, { stamp, key })
      // Oldest first: a Map iterates in insertion order.
      if (cache.size > KEY_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
    }
    return key
  }
}
