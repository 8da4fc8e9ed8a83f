import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local server that speaks the shapes of GitHub's gist API that imports use: the list of a
 * user's gists in pages with a Link header and an ETag (If-None-Match answered 304), each gist
 * with its files' contents (a file past TRUNCATE_AT bytes truncated, as GitHub does past 1 MB),
 * raw URLs that honour Range, and a rate limit that answers 403 with x-ratelimit-reset.
 */
export interface FakeGist {
  id: string
  description: string
  files: { name: string; language: string | null; content: string }[]
}

export const TRUNCATE_AT = 1_000

export async function fakeGitHub(
  t: { teardown(fn: () => unknown): void },
  users: Record<string, FakeGist[]>,
  options: { rawBase?: string } = {},
) {
  const requests: { path: string; status: number; auth?: string | undefined }[] = []
  let limited = 0
  const limitedPaths = new Set<string>()
  let base = ''
  const rawUrl = (gist: FakeGist, file: string) => `${options.rawBase ?? base}/raw/${gist.id}/${encodeURIComponent(file)}`
  const fileOf = (gist: FakeGist, f: FakeGist['files'][number], withContent: boolean) => ({
    filename: f.name,
    type: 'text/plain',
    language: f.language,
    raw_url: rawUrl(gist, f.name),
    size: Buffer.byteLength(f.content),
    ...(withContent
      ? {
          truncated: Buffer.byteLength(f.content) > TRUNCATE_AT,
          content: Buffer.from(f.content).subarray(0, TRUNCATE_AT).toString(),
        }
      : {}),
  })
  const gistOf = (user: string, gist: FakeGist, withContent: boolean) => ({
    id: gist.id,
    description: gist.description,
    public: true,
    html_url: `${base}/gist/${gist.id}`,
    created_at: '2026-01-02T03:04:05Z',
    updated_at: '2026-01-02T03:04:05Z',
    owner: { login: user },
    files: Object.fromEntries(gist.files.map((f) => [f.name, fileOf(gist, f, withContent)])),
  })
  const send = (res: ServerResponse, path: string, status: number, body: unknown, headers: Record<string, string> = {}) => {
    requests.push({ path, status })
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(status === 304 ? undefined : JSON.stringify(body))
  }
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base)
    const path = `${url.pathname}${url.search}`
    if (url.pathname.startsWith('/raw/')) {
      const [, , id, name] = url.pathname.split('/')
      const gist = Object.values(users)
        .flat()
        .find((g) => g.id === id)
      const file = gist?.files.find((f) => f.name === decodeURIComponent(name ?? ''))
      if (!file) return send(res, path, 404, { message: 'Not Found' })
      const bytes = Buffer.from(file.content)
      const range = /^bytes=0-(\d+)$/.exec(req.headers.range ?? '')
      const body = range ? bytes.subarray(0, Number(range[1]) + 1) : bytes
      requests.push({ path, status: range ? 206 : 200 })
      res.writeHead(range ? 206 : 200, { 'content-type': 'text/plain' })
      return res.end(body)
    }
    if (limited > 0 || limitedPaths.delete(path)) {
      limited = Math.max(0, limited - 1)
      return send(
        res,
        path,
        403,
        { message: 'API rate limit exceeded for 127.0.0.1.' },
        {
          'x-ratelimit-limit': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
        },
      )
    }
    const listing = /^\/users\/([^/]+)\/gists$/.exec(url.pathname)
    if (listing) {
      const user = decodeURIComponent(listing[1] ?? '')
      const gists = users[user]
      if (!gists) return send(res, path, 404, { message: 'Not Found' })
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
      const page = Number(url.searchParams.get('page') ?? 1)
      const last = Math.max(1, Math.ceil(gists.length / perPage))
      const body = gists.slice((page - 1) * perPage, page * perPage).map((g) => gistOf(user, g, false))
      const etag = `W/"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32)}"`
      if (req.headers['if-none-match'] === etag) return send(res, path, 304, undefined, { etag })
      const at = (p: number) => `${base}/users/${encodeURIComponent(user)}/gists?per_page=${perPage}&page=${p}`
      const links = [
        ...(page < last ? [`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`] : []),
        ...(page > 1 ? [`<${at(1)}>; rel="first"`, `<${at(page - 1)}>; rel="prev"`] : []),
      ]
      return send(res, path, 200, body, { etag, ...(links.length > 0 ? { link: links.join(', ') } : {}) })
    }
    const single = /^\/gists\/([^/]+)$/.exec(url.pathname)
    if (single) {
      for (const [user, gists] of Object.entries(users)) {
        const gist = gists.find((g) => g.id === single[1])
        if (gist) return send(res, path, 200, gistOf(user, gist, true))
      }
    }
    return send(res, path, 404, { message: 'Not Found' })
  }
  const server = createServer((req, res) => {
    const auth = req.headers.authorization
    handle(req, res)
    const last = requests.at(-1)
    if (last) last.auth = auth
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return {
    url: base,
    requests,
    /** The next `n` API requests answer 403: the rate limit, reset a second later. */
    limitNext(n: number) {
      limited = n
    },
    /** The next request of `path` answers 403, the rate limit. */
    limitOn(path: string) {
      limitedPaths.add(path)
    },
  }
}

/** `n` gists of `user`, the 4-digit ones numbered: gist i holds a script and, every tenth, a note with a year. */
export function gistsOf(user: string, n: number): FakeGist[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${user}-${String(i).padStart(4, '0')}`,
    description: `gist ${i} of ${user}`,
    files: [
      { name: `script-${i}.sh`, language: 'Shell', content: `echo hello ${user} ${i}\n` },
      ...(i % 10 === 0 ? [{ name: `notes-${i}.md`, language: 'Markdown', content: `written in ${2000 + (i % 26)}\n` }] : []),
    ],
  }))
}
