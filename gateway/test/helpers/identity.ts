import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

export const ISSUER = 'https://issuer.test'
export const AUDIENCE = 'catalog-api'

export interface TestIdentity {
  jwksPath: string
  /** A token with these claims, and `typ` in its header when given. */
  token(claims: { tenant: string; scope: string; sub?: string }, ttlSec?: number, typ?: string): Promise<string>
}

/** An ES256 signing key whose JWKS is a local file, as the dev identity is. */
export async function testIdentity(): Promise<TestIdentity> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' }
  const jwksPath = join(mkdtempSync(join(tmpdir(), 'jwks-')), 'jwks.json')
  writeFileSync(jwksPath, JSON.stringify({ keys: [jwk] }))
  return {
    jwksPath,
    token: ({ tenant, scope, sub = 'user-1' }, ttlSec = 300, typ = undefined) =>
      new SignJWT({ tenant, scope })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key', ...(typ ? { typ } : {}) })
        .setSubject(sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSec}s`)
        .sign(privateKey),
  }
}
