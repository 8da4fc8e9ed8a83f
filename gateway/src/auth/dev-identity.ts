import { randomUUID } from 'node:crypto'
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JWK } from 'jose'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose'

/*
 * A development identity provider in two files: an ES256 signing key and the JWKS that the local
 * gateway trusts. Production points AUTH_JWKS_URL at a real issuer instead.
 */

export const DEV_ISSUER = 'http://localhost:8080/dev-issuer'
export const DEV_AUDIENCE = 'catalog-api'

export interface DevTokenOptions {
  /** The directory of the dev identity; made on first use. */
  dir: string
  tenant: string
  scopes: string[]
  subject?: string
  ttlSec?: number
  issuer?: string
  audience?: string
}

type DevKey = JWK & { kid: string }

const privatePathOf = (dir: string) => join(dir, 'private.jwk.json')

/**
 * Makes the key pair once; later calls reuse it. Returns the path of the JWKS. The JWKS is always
 * derived from the private key, so the two never disagree, even when processes race to make them.
 */
export async function ensureDevIdentity(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  const privatePath = privatePathOf(dir)
  const key = (await readKey(privatePath)) ?? (await createKey(privatePath))
  const { d: _private, ...publicKey } = key
  const jwks = `${JSON.stringify({ keys: [publicKey] }, null, 2)}\n`
  const jwksPath = join(dir, 'jwks.json')
  if ((await readFile(jwksPath, 'utf8').catch(() => undefined)) !== jwks) await writeAtomically(jwksPath, jwks)
  return jwksPath
}

/** A token signed by the dev identity, as a real issuer would mint it. */
export async function mintDevToken(options: DevTokenOptions): Promise<string> {
  await ensureDevIdentity(options.dir)
  const jwk = (await readKey(privatePathOf(options.dir))) as DevKey
  return new SignJWT({ tenant: options.tenant, scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
    .setSubject(options.subject ?? 'dev-user')
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSec ?? 3_600}s`)
    .sign(await importJWK(jwk, 'ES256'))
}

async function readKey(path: string): Promise<DevKey | undefined> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  return text === undefined ? undefined : (JSON.parse(text) as DevKey)
}

/** The first process to link its key in place wins; the others read the winner's key. */
async function createKey(path: string): Promise<DevKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  const { d: _private, ...publicPart } = jwk
  const key = { ...jwk, kid: await calculateJwkThumbprint(publicPart), alg: 'ES256', use: 'sig' }
  const temp = `${path}.${randomUUID()}.tmp`
  await writeFile(temp, JSON.stringify(key), { mode: 0o600 })
  try {
    await link(temp, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    await rm(temp, { force: true })
  }
  return (await readKey(path)) as DevKey
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`
  await writeFile(temp, text)
  await rename(temp, path)
}
