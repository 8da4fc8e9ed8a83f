import type { IncomingMessage, RequestOptions } from 'node:http'
import http from 'node:http'
import https from 'node:https'
import { EngineUnavailableError, engineRefused } from '../errors.ts'

/*
 * The few calls the engine makes, over Node's own http/https: a JSON body (or NDJSON for _bulk),
 * a JSON reply. Node's fetch cannot take a CA of its own without the undici package's Agent, and
 * the official client brings a connection pool, sniffing and retries that this service does not
 * want between it and a cluster behind one Service address: the batch consumer retries, a search
 * is answered or refused within its own bound.
 */

export interface OpenSearchConnection {
  url: string
  username?: string
  password?: string
  /** PEM of the CAs that sign the cluster's certificate; unset: the system's. */
  ca?: Buffer
}

export interface OpenSearchReply<T> {
  status: number
  body: T
}

export interface CallOptions {
  /** Ends the request (and rejects with `timeout`) once this passes. */
  timeoutMs?: number
  query?: Record<string, string | number | boolean | undefined>
}

/** An error reply of the cluster, as its `error` object says it. */
export interface OpenSearchErrorBody {
  error?: { type?: string; reason?: string; root_cause?: { type?: string; reason?: string }[]; caused_by?: unknown }
  status?: number
}

/** Replies that say the cluster cannot take the request now, not that the request is wrong. */
/**
 * Replies that are the cluster's or its operator's to fix, never the document's: busy (429), any
 * server error, credentials refused (401) or privileges and blocks such as a read-only index on a
 * full disk (403). They are waited out; counting them as the record's fault would dead-letter every
 * event while the cause lasts.
 */
export const notTheDocument = (status: number) => status === 429 || status === 401 || status === 403 || status >= 500

/** The request ran past CallOptions.timeoutMs. */
export class OpenSearchTimeout extends Error {
  readonly timeout = true
}

export type OpenSearchClient = ReturnType<typeof createOpenSearchClient>

export function createOpenSearchClient(connection: OpenSearchConnection) {
  const base = new URL(connection.url)
  const secure = base.protocol === 'https:'
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 32, ...(connection.ca ? { ca: connection.ca } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 32 })
  const auth =
    connection.username && connection.password
      ? `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString('base64')}`
      : undefined
  const prefix = base.pathname.replace(/\/$/, '')

  /** One call; any reply, error statuses included, resolves: the caller decides what they mean. */
  function call<T>(
    method: string,
    path: string,
    body?: object | object[],
    options: CallOptions = {},
  ): Promise<OpenSearchReply<T>> {
    const ndjson = Array.isArray(body)
    const payload =
      body === undefined ? undefined : ndjson ? `${body.map((line) => JSON.stringify(line)).join('\n')}\n` : JSON.stringify(body)
    const search = new URLSearchParams()
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) search.set(key, String(value))
    const request: RequestOptions = {
      method,
      host: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port || (secure ? 443 : 80),
      path: `${prefix}${path}${search.size > 0 ? `?${search}` : ''}`,
      agent,
      headers: {
        accept: 'application/json',
        ...(auth ? { authorization: auth } : {}),
        ...(payload === undefined
          ? {}
          : {
              'content-type': ndjson ? 'application/x-ndjson' : 'application/json',
              'content-length': Buffer.byteLength(payload),
            }),
      },
    }
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(request, (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          try {
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as T })
          } catch {
            reject(new EngineUnavailableError(`opensearch answered ${res.statusCode} with a body that is not JSON`))
          }
        })
      })
      if (options.timeoutMs !== undefined)
        req.setTimeout(options.timeoutMs, () =>
          req.destroy(new OpenSearchTimeout(`opensearch took over ${options.timeoutMs} ms`)),
        )
      // A socket error keeps its code (ECONNREFUSED and the like): the runtime reads it as UNAVAILABLE.
      req.on('error', reject)
      req.end(payload)
    })
  }

  return {
    call,
    /** A call whose reply must be a success: a busy cluster is EngineUnavailableError, a refusal engineRefused. */
    async ok<T>(method: string, path: string, body?: object | object[], options?: CallOptions): Promise<T> {
      const reply = await call<T & OpenSearchErrorBody>(method, path, body, options)
      if (reply.status >= 200 && reply.status < 300) return reply.body
      throw replyError(`${method} ${path.split('?')[0]}`, reply)
    },
    close: () => agent.destroy(),
  }
}

/** What an error reply means for whoever made the call. */
export function replyError(what: string, reply: OpenSearchReply<OpenSearchErrorBody>): Error {
  const message = `opensearch answered ${reply.status} to ${what}: ${describe(reply.body)}`
  // An index not there (yet, or any more) is the operator's or the start's to fix, not the request's.
  const missing = reply.body.error?.type === 'index_not_found_exception'
  return notTheDocument(reply.status) || missing ? new EngineUnavailableError(message) : engineRefused(message)
}

/** The reason of an error reply, root cause first, short. */
export function describe(body: OpenSearchErrorBody): string {
  const cause = body.error?.root_cause?.[0] ?? body.error
  return `${cause?.type ?? 'error'}: ${cause?.reason ?? JSON.stringify(body).slice(0, 300)}`.slice(0, 500)
}
