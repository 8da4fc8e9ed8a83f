import type { Logger } from '@catalog/kit'
import { ITEM_LIMITS as LIMITS } from '@catalog/proto'
import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { badUri, sourceAway, sourceNotFound, sourceRefused } from '../errors.ts'
import type { FoundInput, Source } from './source.ts'

/*
 * github-gists://<user>: a GitHub user's gists as items, one per gist, through Octokit (the GitHub
 * client library): pages followed by their Link header, rate limits waited out (the throttling
 * plugin reads x-ratelimit-reset), server errors retried. A run sends the ETag of the list's first
 * page its last job saw (If-None-Match): unchanged gists cost one 304, and the job is a duplicate
 * of the last one. The API's base URL is configuration, never a request's (no SSRF); file contents
 * the API truncates are fetched from their raw URL only on the configured origins, within a cap.
 */

export interface GistsOptions {
  /** The REST API's base URL (GITHUB_API_URL): GitHub's, or a GitHub Enterprise server's `/api/v3`. */
  apiUrl: string
  /** Origins a truncated file's raw URL may point to (GITHUB_RAW_ORIGINS); the API's own is always one. */
  rawOrigins: readonly string[]
  /** The token each tenant's imports authenticate with (its private gists, a higher rate limit); none: anonymous. */
  tokenOf: (tenant: string) => string | undefined
  /** Bytes of one file's content read (GISTS_MAX_FILE_BYTES); a longer one is cut there. */
  maxFileBytes: number
  /** Gists one import reads at most (GISTS_MAX_GISTS). */
  maxGists: number
  /** The longest wait for a rate limit's reset before the import fails instead (GISTS_MAX_RATE_LIMIT_WAIT_MS). */
  maxRateLimitWaitMs: number
  /** How long a request may take. */
  requestTimeoutMs: number
  log: Logger
}

const USER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/
const PER_PAGE = 100

const ThrottledOctokit = Octokit.plugin(paginateRest, throttling, retry)
type Client = InstanceType<typeof ThrottledOctokit>

interface GistFile {
  filename?: string
  language?: string | null
  size?: number
  raw_url?: string
  truncated?: boolean
  content?: string
}

interface Gist {
  id: string
  description?: string | null
  html_url?: string
  public?: boolean
  created_at?: string
  updated_at?: string
  owner?: { login?: string } | null
  files?: Record<string, GistFile | null>
}

/** What the content key carries beside the ETag: a change of either reads the gists again though the list is unchanged. */
const fingerprintOf = (options: GistsOptions) => `${options.maxGists}/${options.maxFileBytes}`

/** The gists source; `name` is the scheme's host: `github-gists://octocat`. */
export function gistsSource(options: GistsOptions): Source {
  const apiOrigin = new URL(options.apiUrl).origin
  const rawOrigins = new Set([apiOrigin, ...options.rawOrigins.map((o) => new URL(o).origin)])
  const fingerprint = fingerprintOf(options)
  const clients = new Map<string, Client>()
  // A limit met while a start waits for its answer fails the start (503) instead: only a running job waits.
  const waits = (request: { request?: object }, retryAfter: number, retryCount: number) =>
    !(request.request as { noWait?: boolean } | undefined)?.noWait &&
    retryAfter * 1000 <= options.maxRateLimitWaitMs &&
    retryCount < 3
  const clientOf = (tenant: string): Client => {
    const token = options.tokenOf(tenant)
    const key = token ?? ''
    let client = clients.get(key)
    if (!client) {
      client = new ThrottledOctokit({
        baseUrl: options.apiUrl.replace(/\/$/, ''),
        ...(token ? { auth: token } : {}),
        userAgent: 'catalog-platform-ingestion',
        log: {
          debug: () => undefined,
          info: () => undefined,
          warn: (message: string) => options.log.warn({ source: 'github-gists' }, message),
          error: (message: string) => options.log.warn({ source: 'github-gists' }, message),
        },
        throttle: {
          onRateLimit: (retryAfter: number, request: { url: string; request?: object }, _: unknown, n: number) => {
            const wait = waits(request, retryAfter, n)
            options.log.warn({ retryAfter, url: request.url, wait }, 'GitHub rate limit reached')
            return wait
          },
          onSecondaryRateLimit: (retryAfter: number, request: { url: string; request?: object }, _: unknown, n: number) => {
            const wait = waits(request, retryAfter, n)
            options.log.warn({ retryAfter, url: request.url, wait }, 'GitHub secondary rate limit reached')
            return wait
          },
        },
      })
      // Each request (each page, each retry) gets its own deadline beside the job's signal: Octokit has none of its own.
      client.hook.before('request', (request) => {
        const own = AbortSignal.timeout(options.requestTimeoutMs)
        const given = request.request?.signal as AbortSignal | undefined
        request.request = { ...request.request, signal: given ? AbortSignal.any([given, own]) : own }
      })
      clients.set(key, client)
    }
    return client
  }

  /** Up to `bytes` of a file from its raw URL; undefined when it cannot be read (the caller keeps what it has). */
  const raw = async (url: URL, bytes: number, signal?: AbortSignal): Promise<string | undefined> => {
    try {
      const timeout = AbortSignal.timeout(options.requestTimeoutMs)
      const res = await fetch(url, {
        headers: { range: `bytes=0-${bytes - 1}` },
        redirect: 'error',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      })
      if (!res.ok || !res.body) {
        await res.body?.cancel()
        options.log.warn({ url: url.href, status: res.status }, 'a gist file could not be read from its raw URL')
        return undefined
      }
      // A server that ignores Range sends it all: read no further than asked.
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of res.body) {
        const buf = Buffer.from(chunk)
        chunks.push(buf.subarray(0, Math.max(0, bytes - size)))
        size += buf.length
        if (size >= bytes) break
      }
      return Buffer.concat(chunks).toString('utf8')
    } catch (err) {
      if (signal?.aborted) throw err
      options.log.warn({ url: url.href, err }, 'a gist file could not be read from its raw URL')
      return undefined
    }
  }

  /**
   * The gist as an item: its files' names, languages, sizes and links in attributes, their contents
   * its searchable text. Contents come from the files' raw URLs (GitHub's raw host is no API
   * request, so an anonymous import is not held to 60 an hour) within what the text still holds;
   * a file whose raw URL is on no allowed origin, or cannot be read, from the gist through the API.
   */
  const itemOf = async (client: Client, listed: Gist, user: string, signal?: AbortSignal) => {
    const files = Object.values(listed.files ?? {}).filter((f): f is GistFile => f !== null)
    let full: Promise<Gist | undefined> | undefined
    const fromApi = (name: string | undefined) => {
      full ??= client.request('GET /gists/{gist_id}', { gist_id: listed.id, ...(signal ? { request: { signal } } : {}) }).then(
        (r) => r.data as Gist,
        (err: unknown) => {
          // Deleted since the list was read: its files are left out, the gist kept as listed.
          if ((err as { status?: number }).status === 404) return undefined
          throw err
        },
      )
      return full.then((gist) => (name ? gist?.files?.[name]?.content : undefined) ?? '')
    }
    let text = listed.description ? `${listed.description}\n` : ''
    for (const file of files) {
      const budget = LIMITS.description - text.length - (file.filename?.length ?? 0) - 2
      if (budget <= 0) break
      const url = file.raw_url ? URL.parse(file.raw_url) : null
      const bytes = Math.min(options.maxFileBytes, budget * 4)
      const content =
        (url && rawOrigins.has(url.origin) ? await raw(url, bytes, signal) : undefined) ?? (await fromApi(file.filename))
      text += `${file.filename ?? ''}\n${content.slice(0, budget)}\n`
    }
    const languages = [...new Set(files.map((f) => f.language?.toLowerCase()).filter((l): l is string => Boolean(l)))]
    const title = (listed.description?.trim() || files[0]?.filename || listed.id).slice(0, LIMITS.title)
    // Files listed while they fit the attributes' 16 KiB (with room for the rest); the count says how many there are.
    const listedFiles: { name: string; language: string | null; size: number | null; raw_url: string }[] = []
    let used = 1_024
    for (const f of files) {
      const entry = {
        name: (f.filename ?? '').slice(0, 200),
        language: f.language ?? null,
        size: f.size ?? null,
        raw_url: (f.raw_url ?? '').slice(0, 500),
      }
      used += Buffer.byteLength(JSON.stringify(entry)) + 1
      if (used > LIMITS.attributesBytes - 1_024) break
      listedFiles.push(entry)
    }
    return {
      source: `github-gists:${user}`,
      external_id: listed.id,
      title,
      description: text.slice(0, LIMITS.description),
      tags: languages.slice(0, LIMITS.tags).map((l) => l.slice(0, LIMITS.tag)),
      attributes: {
        html_url: (listed.html_url ?? '').slice(0, 500) || null,
        owner: (listed.owner?.login ?? user).slice(0, 100),
        public: listed.public ?? null,
        updated_at: listed.updated_at ?? null,
        file_count: files.length,
        files: listedFiles,
      },
      ...(listed.created_at ? { published_at: listed.created_at } : {}),
    }
  }

  return {
    async find(url, _area, context) {
      // GitHub's user names are case-insensitive: one user is one URI and one source.
      const user = url.hostname.toLowerCase()
      if (!USER.test(user) || url.port || (url.pathname !== '' && url.pathname !== '/'))
        throw badUri('must be github-gists://<user>, a GitHub user name')
      const uri = `github-gists://${user}`
      // The gists are public data, or the tenant's own token's: no tenant area applies.
      const client = clientOf(context?.tenant ?? '')
      // The ETag the last job saw, when it read with the same settings.
      const [etagSeen, seenWith] = ((await context?.previous?.(uri)) ?? '').replace(/^etag:/, '').split('#')
      const known = etagSeen && seenWith === fingerprint ? etagSeen : undefined
      let etag: string
      try {
        const res = await client.request('GET /users/{username}/gists', {
          username: user,
          per_page: PER_PAGE,
          headers: known ? { 'if-none-match': known } : {},
          request: { noWait: true, retries: 0 },
        })
        etag = res.headers.etag ?? `date:${Date.now()}`
      } catch (err) {
        const status = (err as { status?: number }).status
        if (status === 304 && known) etag = known
        else if (status === 404) throw sourceNotFound(uri)
        else if (status === 401) throw sourceRefused(uri, "GitHub refused the tenant's token (GITHUB_TOKENS_FILE)")
        else {
          options.log.warn({ err, uri }, 'GitHub could not list the gists')
          throw sourceAway(
            uri,
            status === 403 || status === 429
              ? 'GitHub rate limit'
              : status
                ? `GitHub answered ${status}`
                : 'GitHub could not be reached',
          )
        }
      }
      const found: FoundInput = {
        uri,
        name: `github-gists-${user}`,
        contentKey: `etag:${etag}#${fingerprint}`,
        size: 0,
        shape: { format: 'ndjson', gzip: false },
        open: (signal) => lines(client, user, signal),
      }
      return found
    },
    async list() {
      throw badUri('github-gists:// is no folder: it cannot be a drop folder')
    },
  }

  async function* lines(client: Client, user: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
    let read = 0
    for await (const page of client.paginate.iterator('GET /users/{username}/gists', {
      username: user,
      per_page: PER_PAGE,
      ...(signal ? { request: { signal } } : {}),
    })) {
      for (const listed of page.data as Gist[]) {
        if (read++ >= options.maxGists) {
          options.log.warn({ user, max: options.maxGists }, 'gists past GISTS_MAX_GISTS left out of the import')
          return
        }
        yield Buffer.from(`${JSON.stringify(await itemOf(client, listed, user, signal))}\n`)
      }
    }
  }
}
