import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JWK } from 'jose'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface SigningKey {
  kid: string
  alg: string
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
  jwk: JWK
}

export async function signingKey(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

/** A real HTTP JWKS endpoint on loopback whose keys and health the test controls, counting fetches. */
export async function startJwksServer(t: Tap, keys: SigningKey[]) {
  const state = { keys, fetches: 0, failing: false }
  const server = createServer((_req, res) => {
    state.fetches++
    if (state.failing) res.writeHead(500).end('down')
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys.map((k) => k.jwk) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  server.keepAliveTimeout = 1
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, state }
}

export const ISSUER = 'https://issuer.test'
export const AUDIENCE = 'catalog-api'

export function sign(
  key: SigningKey,
  claims: Record<string, unknown> = {},
  options: {
    header?: Record<string, unknown>
    exp?: number | null
    iss?: string
    aud?: string
    crit?: Record<string, boolean>
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT({ tenant: 'acme', scope: 'items:read', sub: 'u1', iat: now, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...options.header })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now + 300)
  return jwt.sign(key.privateKey, options.crit ? { crit: options.crit } : undefined)
}
