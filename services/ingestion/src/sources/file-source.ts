import type { BigIntStats } from 'node:fs'
import { createReadStream } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, join, relative, resolve, sep } from 'node:path'
import { badUri, sourceNotFound } from '../errors.ts'
import { shapeOf } from '../formats/read-records.ts'
import type { Source } from './source.ts'
import { decodedPath, outsideArea } from './tenant-area.ts'

/**
 * file:// inputs, read only under one root folder: `file:///tenants/acme/a.ndjson` is
 * `<root>/tenants/acme/a.ndjson`. The path must start with the caller's area before anything is
 * looked up, and its real path (symlinks followed) must stay in the area's folder under the root's
 * real path, compared byte for byte: a symlinked area or another case of its name is outside.
 */
export function fileSource(root: string): Source {
  const absoluteRoot = resolve(root)
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
      const info = await stat(path, { bigint: true })
      if (!info.isFile()) throw badUri('must name a file')
      const shape = shapeOf(path)
      if (!shape) throw badUri('must end in .ndjson, .jsonl, .json or .csv (optionally .gz)')
      return {
        uri: url.href,
        name: basename(path),
        contentKey: contentKeyOf(info),
        size: Number(info.size),
        shape,
        open: (signal) => createReadStream(path, { highWaterMark: 64 * 1024, ...(signal ? { signal } : {}) }),
      }
    },
    async list(prefix, area, after) {
      const dir = await locate(prefix, area)
      const realRoot = await realpath(absoluteRoot)
      const entries = await readdir(dir, { withFileTypes: true })
      // A folder is read whole whatever the cursor: it only trims what the scan then starts.
      return entries
        .filter((e) => e.isFile() && shapeOf(e.name))
        .map((e) => `file:///${relative(realRoot, join(dir, e.name)).split(sep).map(encodeURIComponent).join('/')}`)
        .sort()
        .filter((uri) => after === undefined || uri > after)
    },
  }
}

/**
 * What makes a file's content this content, from its metadata alone: finding a file (a start, each
 * drop scan) never reads it, however big. Any write changes the change time (which no caller can
 * set back, unlike the modification time), a file replaced by another (rsync, mv) has another
 * inode; so the same file started twice is one job, and a changed one is a new job. Unlike a hash
 * of the bytes, a file rewritten with the very same bytes, or only touched or chmod-ed, is new;
 * and, as git's "racy clean" case, a rewrite of the same size within one tick of the file system's
 * clock keeps its key.
 */
export function contentKeyOf(info: BigIntStats): string {
  return `stat:${info.size}:${info.mtimeNs}:${info.ctimeNs}:${info.ino}`
}
