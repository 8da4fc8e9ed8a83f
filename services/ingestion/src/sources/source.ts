import { badUri } from '../errors.ts'
import type { InputShape } from '../formats/read-records.ts'

/** An input found at a URI, not yet read. */
export interface FoundInput {
  uri: string
  /** The file's name, for the job's default source and the format. */
  name: string
  /** What makes this content this content, known without reading it: an S3 ETag, a file's stat. */
  contentKey: string
  size: number
  shape: InputShape
  /** Reads the input; `signal` stops the read at once, even while it waits for bytes. */
  open(signal?: AbortSignal): AsyncIterable<Buffer>
}

/**
 * Where inputs come from: one per URI scheme. `area` is the caller's key prefix or folder
 * (`tenants/acme/`, see tenant-area.ts): a URI outside it is a 403 before anything is looked up.
 */
export interface Source {
  /**
   * Checks the URI is allowed and the input exists; throws a 400, 403 or 404 otherwise, never
   * reads elsewhere. `context` names the caller's tenant and, for a source that can ask whether
   * its input changed (an ETag), the content key of the URI's latest job.
   */
  find(uri: URL, area: string, context?: FindContext): Promise<FoundInput>
  /**
   * The URIs of the inputs under a prefix (a folder or a key prefix) in `area`, for daily drops, in
   * the source's own order (an S3 listing's: by key, byte-wise); with `after`, a URI it listed
   * before, only those that come after it in that order.
   */
  list(prefix: URL, area: string, after?: string): Promise<string[]>
}

export interface FindContext {
  tenant: string
  /** The content key of the latest live or completed job of `uri` (the source's own form of it), looked up when asked. */
  previous?: (uri: string) => Promise<string | undefined>
}

const MAX_URI = 2048

/** The source that may read `uri`, or a 400 naming `field`: file://, s3:// and github-gists:// exist here. */
export function pickSource(
  uri: string,
  sources: { file: Source; s3?: Source; gists?: Source },
  field = 'uri',
): { source: Source; url: URL } {
  if (uri.length === 0 || uri.length > MAX_URI) throw badUri(`must be 1 to ${MAX_URI} characters`, field)
  // URL parsing folds "../" away silently; a URI that tries it is refused, not reinterpreted.
  if (/(^|\/)(\.|%2e){2}(\/|$)/i.test(uri)) throw badUri('must not contain ".." segments', field)
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw badUri('must be a file:// or s3:// URI', field)
  }
  if (url.search || url.hash || url.username || url.password)
    throw badUri('must not carry a query, fragment or credentials', field)
  if (url.protocol === 'file:') return { source: sources.file, url }
  if (url.protocol === 's3:') {
    if (!sources.s3) throw badUri('s3:// is not enabled here (no INGEST_S3_BUCKETS)', field)
    return { source: sources.s3, url }
  }
  if (url.protocol === 'github-gists:') {
    if (!sources.gists) throw badUri('github-gists:// is not enabled here (no GITHUB_API_URL)', field)
    return { source: sources.gists, url }
  }
  throw badUri('must be a file://, s3:// or github-gists:// URI; other schemes are never fetched', field)
}
