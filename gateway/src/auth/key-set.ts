import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Logger } from '@catalog/kit'
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose'
import { createLocalJWKSet } from 'jose'

export interface KeySetOptions {
  /** An http(s) URL, a `file://` URL or a local path. */
  source: string
  cooldownMs: number
  cacheMaxAgeMs: number
  fetchTimeoutMs: number
  log: Logger
}

export interface KeySetStatus {
  keys: number
  lastSuccessAt: number | undefined
  lastError: string | undefined
}

const MAX_JWKS_BYTES = 256 * 1024

/**
 * The issuer's signing keys, kept by us rather than by jose's remote set, which drops its keys
 * once their cache age passes even when the issuer is down. Here:
 * - keys older than `cacheMaxAgeMs` are refreshed in the background while the old ones keep
 *   verifying (a key the issuer removed stops working once a refresh succeeds);
 * - an unknown `kid` refetches at most once per `cooldownMs`, however many tokens ask, and all
 *   concurrent askers share that one fetch (no thundering herd on the issuer);
 * - a failed fetch keeps the last good keys.
 */
export function createKeySet(options: KeySetOptions) {
  const { log } = options
  let resolveKey: JWTVerifyGetKey | undefined
  let keyCount = 0
  let fetchedAt = 0
  let attemptedAt = Number.NEGATIVE_INFINITY
  let lastSuccessAt: number | undefined
  let lastError: string | undefined
  let inflight: Promise<void> | undefined

  const refresh = (): Promise<void> => {
    inflight ??= (async () => {
      attemptedAt = Date.now()
      try {
        const jwks = parse(await read(options.source, options.fetchTimeoutMs))
        resolveKey = createLocalJWKSet(jwks)
        keyCount = jwks.keys.length
        fetchedAt = lastSuccessAt = Date.now()
        if (lastError) log.info({ keys: keyCount }, 'JWKS reachable again')
        lastError = undefined
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        if (message !== lastError)
          log.warn(
            { source: options.source, err: message, keptKeys: keyCount },
            'JWKS refresh failed; keeping the last good keys',
          )
        lastError = message
      } finally {
        inflight = undefined
      }
    })()
    return inflight
  }
  const mayAttempt = () => Date.now() - attemptedAt >= options.cooldownMs

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!resolveKey) await refresh()
    else if (Date.now() - fetchedAt > options.cacheMaxAgeMs && !inflight && mayAttempt()) void refresh()
    if (!resolveKey) throw new Error('no JWKS has loaded yet')
    try {
      return await resolveKey(header, token)
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw err
      // An unknown kid may be a freshly rotated key: look once, unless someone just did.
      if (!inflight && !mayAttempt()) throw err
      await refresh()
      return resolveKey(header, token)
    }
  }

  return {
    getKey,
    refresh,
    status: (): KeySetStatus => ({ keys: keyCount, lastSuccessAt, lastError }),
  }
}

export type KeySet = ReturnType<typeof createKeySet>

async function read(source: string, timeoutMs: number): Promise<string> {
  if (!/^https?:\/\//.test(source)) {
    const path = source.startsWith('file://') ? fileURLToPath(source) : source
    return readFile(path, 'utf8')
  }
  const res = await fetch(source, {
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
    headers: { accept: 'application/json' },
  })
  if (res.status !== 200) throw new Error(`JWKS answered ${res.status}`)
  if (Number(res.headers.get('content-length') ?? 0) > MAX_JWKS_BYTES) throw new Error('JWKS too large')
  const text = await res.text()
  if (text.length > MAX_JWKS_BYTES) throw new Error('JWKS too large')
  return text
}

function parse(text: string): JSONWebKeySet {
  const json = JSON.parse(text) as { keys?: unknown }
  if (!Array.isArray(json.keys)) throw new Error('JWKS has no "keys" array')
  // Encryption keys have no business verifying signatures.
  const keys = json.keys.filter(
    (k): k is JSONWebKeySet['keys'][number] => typeof k === 'object' && k !== null && (k.use ?? 'sig') === 'sig',
  )
  return { keys }
}
