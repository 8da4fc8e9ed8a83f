import type { Logger } from '@catalog/kit'
import { jwtVerify } from 'jose'
import { unauthenticated } from '../errors.ts'
import type { KeySetStatus } from './key-set.ts'
import { createKeySet } from './key-set.ts'
import { verifiedCache } from './verified-cache.ts'

export interface AuthOptions {
  jwksUrl: string
  issuer: string
  audience: string
  /** The JWS algorithms accepted; anything else (`none`, HS256 against a public key) is refused. */
  algorithms: string[]
  clockToleranceSec: number
  cooldownMs: number
  cacheMaxAgeMs: number
  fetchTimeoutMs: number
  /** Longer tokens are refused before any parsing. */
  maxTokenBytes: number
  /** How long a verified token is remembered (0 turns the cache off). */
  verifiedCacheMs?: number
}

export interface VerifiedToken {
  subject: string
  tenant: string
  scopes: string[]
  expiresAt: number
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/

/**
 * Verifies bearer tokens: signature by a key of the JWKS (never a key the token brings along in
 * `jwk`, `jku` or `x5u`), an allowed algorithm, issuer, audience, `exp` (required), `nbf` and
 * `iat` within the clock tolerance, a well-formed `tenant`. Every failure is the same 401; the
 * cause goes to the log only.
 */
export function createTokenVerifier(options: AuthOptions, log: Logger) {
  const keys = createKeySet({
    source: options.jwksUrl,
    cooldownMs: options.cooldownMs,
    cacheMaxAgeMs: options.cacheMaxAgeMs,
    fetchTimeoutMs: options.fetchTimeoutMs,
    log,
  })
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: options.algorithms,
    clockTolerance: options.clockToleranceSec,
    requiredClaims: ['exp', 'sub'],
  }

  const cache = verifiedCache<VerifiedToken>({ ttlMs: options.verifiedCacheMs ?? 0, maxEntries: 10_000 })

  return {
    async verify(token: string): Promise<VerifiedToken> {
      if (!token) throw unauthenticated('invalid_request', 'empty token')
      if (token.length > options.maxTokenBytes) throw unauthenticated('invalid_token', 'token too large')
      const cached = cache.get(token)
      if (cached) return cached
      if (!COMPACT_JWS.test(token)) throw unauthenticated('invalid_token', 'not a compact JWS')
      const verified = await verifyOnce(token)
      cache.set(token, verified)
      return verified
    },
    /** Loads the keys now, so start-up reports an unreachable JWKS (the gateway still starts). */
    warmUp: () => keys.refresh(),
    status: (): KeySetStatus => keys.status(),
    close(): void {},
  }

  async function verifyOnce(token: string): Promise<VerifiedToken> {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
    try {
      ;({ payload } = await jwtVerify(token, keys.getKey, verifyOptions))
    } catch (err) {
      throw unauthenticated(
        'invalid_token',
        (err as { code?: string }).code ?? (err instanceof Error ? err.message : 'unverifiable'),
      )
    }
    const now = Math.floor(Date.now() / 1000)
    if (typeof payload.iat === 'number' && payload.iat > now + options.clockToleranceSec) {
      throw unauthenticated('invalid_token', 'iat in the future')
    }
    const tenant = payload.tenant
    if (typeof tenant !== 'string' || !TENANT.test(tenant)) throw unauthenticated('invalid_token', 'no valid tenant claim')
    const scope = typeof payload.scope === 'string' ? payload.scope : ''
    return {
      subject: String(payload.sub),
      tenant,
      scopes: scope.split(' ').filter((s) => SCOPE.test(s)),
      expiresAt: Number(payload.exp),
    }
  }
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>
