import type { Logger } from '@catalog/kit'
import type { CryptoKey, JWSHeaderParameters, JWTPayload } from 'jose'
import { errors, jwtVerify } from 'jose'
import { isGatewayError, unauthenticated } from '../errors.ts'
import type { JwksStatus } from './jwks-store.ts'
import { createJwksStore } from './jwks-store.ts'
import { verifiedCache } from './verified-cache.ts'

export interface AuthOptions {
  /** An http(s) URL, a `file://` URL or a local path. */
  jwksUrl: string
  issuer: string
  audience: string
  /** The JWS algorithms accepted; anything else (`none`, HS256 keyed with a public key) is refused. */
  algorithms: string[]
  clockToleranceSec: number
  cooldownMs: number
  cacheMaxAgeMs: number
  fetchTimeoutMs: number
  /** Longer tokens are refused before any parsing. */
  maxTokenBytes: number
  /** How long a verified token is remembered, never past its `exp` (0 or unset: not at all). */
  verifiedCacheMs?: number
  /** The `typ` header a token must carry (`at+jwt`; `application/` and case aside); unset: any. */
  requiredTyp?: string
}

export interface VerifiedToken {
  subject: string
  tenant: string
  scopes: string[]
  /** Seconds since the epoch, as `exp`. */
  expiresAt: number
}

export interface Authenticator {
  /** The token's identity, or a 401 GatewayError; never any other error. */
  verify(token: string): Promise<VerifiedToken>
  /** The identity of a token that verified within the verified-token cache's time, without a promise. */
  remembered(token: string): VerifiedToken | undefined
  /** Loads the keys now (readiness asks this way); never rejects. */
  warmUp(): Promise<void>
  status(): JwksStatus
  close(): void
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/
/** A scope-token of RFC 6749 §3.3. */
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/

/**
 * Verifies bearer tokens: signed by a key of the configured JWKS (never a key the token brings
 * along in `jwk`, `jku` or `x5u`, which are ignored), with an allowed algorithm, the issuer, the
 * audience, an `exp`, `nbf` and `iat` within the clock tolerance, a well-formed `tenant`, no
 * `crit`, and the required `typ` if one is configured. Every failure is the same 401 to the client; its cause goes to `reason` for the log.
 */
export function createAuthenticator(options: AuthOptions, log: Logger): Authenticator {
  const store = createJwksStore(
    {
      source: options.jwksUrl,
      algorithms: options.algorithms,
      cooldownMs: options.cooldownMs,
      cacheMaxAgeMs: options.cacheMaxAgeMs,
      fetchTimeoutMs: options.fetchTimeoutMs,
    },
    log,
  )
  const cache = verifiedCache<VerifiedToken>({ ttlMs: options.verifiedCacheMs ?? 0, maxEntries: 10_000 })
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: options.algorithms,
    clockTolerance: options.clockToleranceSec,
    requiredClaims: ['exp', 'sub', 'tenant'],
    ...(options.requiredTyp ? { typ: options.requiredTyp } : {}),
  }
  const getKey = async (header: JWSHeaderParameters): Promise<CryptoKey> => {
    // jose honours the extensions it knows (b64); none of our issuers needs one.
    if (header.crit !== undefined) throw new Error('crit header')
    return store.getKey(header)
  }

  async function check(token: string): Promise<VerifiedToken> {
    if (token.length > options.maxTokenBytes) throw unauthenticated('invalid_token', 'token too large')
    if (!COMPACT_JWS.test(token)) throw unauthenticated('invalid_token', 'not a compact JWS')
    const remembered = cache.get(token)
    if (remembered) return remembered
    const { payload } = await jwtVerify(token, getKey, verifyOptions)
    const verified = identityOf(payload, options.clockToleranceSec)
    cache.set(token, verified)
    return verified
  }

  return {
    async verify(token) {
      if (typeof token !== 'string' || token === '') throw unauthenticated('invalid_request', 'no token')
      try {
        return await check(token)
      } catch (err) {
        throw isGatewayError(err) ? err : unauthenticated('invalid_token', reasonOf(err))
      }
    },
    // Only a token that passed every check of `check` is ever remembered.
    remembered: (token) => cache.get(token),
    warmUp: () => store.refresh(),
    status: () => store.status(),
    close: () => store.close(),
  }
}

function identityOf(payload: JWTPayload, toleranceSec: number): VerifiedToken {
  // jose looks at `iat` only when given a maxTokenAge; a token issued in the future is refused anyway.
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + toleranceSec) {
    throw unauthenticated('invalid_token', 'iat in the future')
  }
  const { sub, tenant, exp } = payload
  if (typeof sub !== 'string' || sub === '') throw unauthenticated('invalid_token', 'sub is not a string')
  if (typeof tenant !== 'string' || !TENANT.test(tenant)) throw unauthenticated('invalid_token', 'malformed tenant')
  return { subject: sub, tenant, scopes: scopesOf(payload), expiresAt: Number(exp) }
}

/** `scope` as RFC 8693 has it (space-separated), or `scp` as some issuers send it (array or string). */
function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp
  const list: unknown[] = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw : []
  return [...new Set(list.filter((s): s is string => typeof s === 'string' && SCOPE.test(s)))]
}

function reasonOf(err: unknown): string {
  if (err instanceof errors.JOSEError) return 'claim' in err ? `${err.code} ${err.claim}` : err.code
  return err instanceof Error ? err.message : 'unverifiable'
}
