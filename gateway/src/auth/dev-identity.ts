import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JWK } from 'jose'
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose'

/*
 * A development identity provider in two files: an ES256 signing key and the JWKS that the local
 * gateway trusts. Production points AUTH_JWKS_URL at a real issuer instead.
 */

export const DEV_ISSUER = 'http://localhost:8080/dev-issuer'
export const DEV_AUDIENCE = 'catalog-api'

/** Makes the key pair once; later calls reuse it. Returns the path of the JWKS. */
export async function ensureDevIdentity(dir: string): Promise<string> {
  const jwksPath = join(dir, 'jwks.json')
  const privatePath = join(dir, 'private.jwk.json')
  if (existsSync(jwksPath) && existsSync(privatePath)) return jwksPath
  await mkdir(dir, { recursive: true })
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = `dev-${Date.now().toString(36)}`
  const meta = { kid, alg: 'ES256', use: 'sig' }
  await writeFile(privatePath, JSON.stringify({ ...(await exportJWK(privateKey)), ...meta }), { mode: 0o600 })
  await chmod(privatePath, 0o600)
  await writeFile(jwksPath, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), ...meta }] }, null, 2))
  return jwksPath
}

export async function mintDevToken(options: {
  dir: string
  tenant: string
  scopes: string[]
  subject?: string
  ttlSec?: number
  issuer?: string
  audience?: string
}): Promise<string> {
  await ensureDevIdentity(options.dir)
  const jwk = JSON.parse(await readFile(join(options.dir, 'private.jwk.json'), 'utf8')) as JWK & { kid: string }
  const key = await importJWK(jwk, 'ES256')
  return new SignJWT({ tenant: options.tenant, scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
    .setSubject(options.subject ?? 'dev-user')
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSec ?? 3_600}s`)
    .sign(key)
}
