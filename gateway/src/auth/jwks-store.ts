import { readFile, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Logger } from '@catalog/kit'
import type { CryptoKey, JWK, JWSHeaderParameters } from 'jose'
import { importJWK } from 'jose'

export interface JwksStoreOptions {
  /** An http(s) URL, a `file://` URL or a local path. */
  source: string
  /** The JWS algorithms accepted; a key declaring another `alg` is never used. */
  algorithms: readonly string[]
  /** The least time between two fetches that requests cause (unknown kid, stale or missing keys). */
  cooldownMs: number
  /** Keys older than this are refreshed on their next use. */
  cacheMaxAgeMs: number
  fetchTimeoutMs?: number
  maxBytes?: number
}

export interface JwksStatus {
  keys: number
  lastSuccessAt: number | undefined
  lastError: string | undefined
}

export interface JwksStore {
  /** The public key that verifies a JWS with this header; throws when the JWKS has none. */
  getKey(header: JWSHeaderParameters): Promise<CryptoKey>
  /** Fetches the JWKS now, whatever the cooldown. Never rejects: a failure keeps the last good keys. */
  refresh(): Promise<void>
  status(): JwksStatus
  close(): void
}

interface CachedKey {
  jwk: JWK
  /** One import per algorithm: an RSA key without `alg` may verify RS256 and PS256 alike. */
  imported: Map<string, Promise<CryptoKey>>
}

/** What a key must be to verify each algorithm (RFC 7518 §3, RFC 8037); HMAC and `none` have no entry. */
const KEY_TYPES = new Map<string, { kty: string; crv?: string }>([
  ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'].map((alg) => [alg, { kty: 'RSA' }] as const),
  ['ES256', { kty: 'EC', crv: 'P-256' }],
  ['ES384', { kty: 'EC', crv: 'P-384' }],
  ['ES512', { kty: 'EC', crv: 'P-521' }],
  ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }],
  ['Ed25519', { kty: 'OKP', crv: 'Ed25519' }],
])

const DEFAULT_FETCH_TIMEOUT_MS = 3_000
const DEFAULT_MAX_BYTES = 256 * 1024

/**
 * The issuer's signing keys, kept by us rather than by jose's remote set, which forgets its keys
 * once their cache age passes even while the issuer is down. Here:
 * - keys older than `cacheMaxAgeMs` keep verifying while a refresh runs in the background; a key
 *   the issuer removed stops working once such a refresh succeeds;
 * - an unknown `kid` may be a freshly rotated key, so it refetches, but requests cause at most one
 *   fetch per `cooldownMs` and concurrent askers share it: random kids cannot flood the issuer;
 * - a failed fetch keeps the last good keys, however long the issuer stays down.
 */
export function createJwksStore(options: JwksStoreOptions, log: Logger): JwksStore {
  let keys: CachedKey[] | undefined
  let loadedAt = Number.NEGATIVE_INFINITY
  let attemptedAt = Number.NEGATIVE_INFINITY
  let lastSuccessAt: number | undefined
  let lastError: string | undefined
  let inflight: Promise<void> | undefined
  let abort: AbortController | undefined
  let closed = false

  async function load(): Promise<void> {
    attemptedAt = Date.now()
    abort = new AbortController()
    try {
      const text = await readSource(options, abort.signal)
      keys = usableKeys(JSON.parse(text), options.algorithms).map((jwk) => ({ jwk, imported: new Map() }))
      loadedAt = lastSuccessAt = Date.now()
      lastError = undefined
    } catch (err) {
      lastError = describe(err)
      log.warn({ source: options.source, err: lastError, keptKeys: keys?.length ?? 0 }, 'JWKS refresh failed')
    }
  }

  const refresh = (): Promise<void> => {
    if (closed) return Promise.resolve()
    inflight ??= load().finally(() => {
      inflight = undefined
    })
    return inflight
  }
  const mayFetch = () => inflight !== undefined || Date.now() - attemptedAt >= options.cooldownMs

  async function getKey(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (!keys) {
      if (mayFetch()) await refresh()
    } else if (Date.now() - loadedAt >= options.cacheMaxAgeMs && mayFetch()) {
      void refresh()
    }
    if (!keys) throw new Error('jwks unavailable')
    let found = matching(keys, header, options.algorithms)
    if (found.length === 0 && mayFetch()) {
      await refresh()
      found = matching(keys, header, options.algorithms)
    }
    const [key] = found
    if (!key) throw new Error('no key of the JWKS matches the token')
    if (found.length > 1) throw new Error('several keys of the JWKS match a token without kid')
    return importOnce(key, header.alg as string)
  }

  return {
    getKey,
    refresh,
    status: () => ({ keys: keys?.length ?? 0, lastSuccessAt, lastError }),
    close() {
      closed = true
      abort?.abort()
    },
  }
}

function fits(jwk: JWK, alg: string): boolean {
  const type = KEY_TYPES.get(alg)
  return (
    type !== undefined &&
    jwk.kty === type.kty &&
    (type.crv === undefined || jwk.crv === type.crv) &&
    (jwk.alg === undefined || jwk.alg === alg)
  )
}

function matching(keys: CachedKey[], header: JWSHeaderParameters, algorithms: readonly string[]): CachedKey[] {
  const { alg, kid } = header
  if (typeof alg !== 'string' || !algorithms.includes(alg) || (kid !== undefined && typeof kid !== 'string')) return []
  return keys.filter((key) => (kid === undefined || key.jwk.kid === kid) && fits(key.jwk, alg))
}

async function importOnce(key: CachedKey, alg: string): Promise<CryptoKey> {
  let imported = key.imported.get(alg)
  if (!imported) {
    imported = importJWK(key.jwk, alg).then((k) => {
      if (k instanceof Uint8Array || k.type !== 'public') throw new Error('a JWKS member is not a public key')
      return k
    })
    key.imported.set(alg, imported)
  }
  return imported
}

/** Signature keys only (not `use: enc`), public, of a type some allowed algorithm can use. */
function usableKeys(json: unknown, algorithms: readonly string[]): JWK[] {
  const keys = (json as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys)) throw new Error('the JWKS has no "keys" array')
  return keys.filter(
    (k): k is JWK =>
      typeof k === 'object' &&
      k !== null &&
      !('d' in k) &&
      (k.use === undefined || k.use === 'sig') &&
      (k.kid === undefined || typeof k.kid === 'string') &&
      (k.key_ops === undefined || (Array.isArray(k.key_ops) && k.key_ops.includes('verify'))) &&
      algorithms.some((alg) => fits(k, alg)),
  )
}

async function readSource(options: JwksStoreOptions, signal: AbortSignal): Promise<string> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  if (!/^https?:\/\//i.test(options.source)) {
    const path = options.source.startsWith('file:') ? fileURLToPath(options.source) : options.source
    if ((await stat(path)).size > maxBytes) throw new Error(`the JWKS is over ${maxBytes} bytes`)
    return readFile(path, 'utf8')
  }
  const response = await fetch(options.source, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS)]),
    // The configured URL is the trust anchor: a redirect would hand it to another host.
    redirect: 'error',
    headers: { accept: 'application/jwk-set+json, application/json' },
  })
  if (response.status !== 200) {
    await response.body?.cancel()
    throw new Error(`the JWKS answered HTTP ${response.status}`)
  }
  return readCapped(response, maxBytes)
}

/** The body as text, refusing to hold more than `maxBytes` whatever Content-Length claims. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength
    if (size > maxBytes) throw new Error(`the JWKS is over ${maxBytes} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = err.cause as { code?: string; message?: string } | undefined
  return cause ? `${err.message} (${cause.code ?? cause.message})` : err.message
}
