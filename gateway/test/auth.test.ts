import { createHmac, createPublicKey } from 'node:crypto'
import { silentLogger } from '@catalog/kit/testing'
import { UnsecuredJWT } from 'jose'
import t from 'tap'
import type { AuthOptions } from '../src/auth/token-verifier.ts'
import { createTokenVerifier } from '../src/auth/token-verifier.ts'
import { isGatewayError } from '../src/errors.ts'
import { AUDIENCE, ISSUER, sign, signingKey, startJwksServer } from './helpers/jwks-server.ts'

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

t.test('hostile tokens are each a 401, never anything else', async (t) => {
  const rsa = await signingKey('RS256', 'rsa-1')
  const ec = await signingKey('ES256', 'ec-1')
  const attacker = await signingKey('RS256', 'rsa-1')
  const jwks = await startJwksServer(t, [rsa, ec])
  const options: AuthOptions = {
    jwksUrl: jwks.url,
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['RS256', 'ES256'],
    clockToleranceSec: 30,
    cooldownMs: 60_000,
    cacheMaxAgeMs: 600_000,
    fetchTimeoutMs: 1_000,
    maxTokenBytes: 8_192,
  }
  const verifier = createTokenVerifier(options, silentLogger())
  const now = Math.floor(Date.now() / 1000)

  const good = await verifier.verify(await sign(rsa, { scope: 'items:read items:write' }))
  t.same(
    good,
    { subject: 'u1', tenant: 'acme', scopes: ['items:read', 'items:write'], expiresAt: good.expiresAt },
    'a valid RS256 token',
  )
  t.equal((await verifier.verify(await sign(ec))).tenant, 'acme', 'a valid ES256 token')
  t.ok(await verifier.verify(await sign(rsa, { nbf: now + 20 })), 'nbf within the clock tolerance passes')

  const valid = await sign(rsa)
  const [h, p, s] = valid.split('.') as [string, string, string]
  const rsaPem = createPublicKey({ key: rsa.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
  const hs256 = (() => {
    const head = b64({ alg: 'HS256', kid: 'rsa-1' })
    const body = b64({ tenant: 'acme', scope: 'items:read', sub: 'u1', iss: ISSUER, aud: AUDIENCE, exp: now + 300 })
    const mac = createHmac('sha256', rsaPem).update(`${head}.${body}`).digest('base64url')
    return `${head}.${body}.${mac}`
  })()
  const cases: [string, string | Promise<string>][] = [
    [
      'alg none',
      new UnsecuredJWT({ tenant: 'acme', sub: 'u1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode(),
    ],
    ['alg none with a fake signature', `${b64({ alg: 'none' })}.${p}.${s}`],
    ['HS256 signed with the RSA public key', hs256],
    ['an unknown kid', sign(await signingKey('RS256', 'nobody'))],
    ['a tampered payload', `${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), tenant: 'evil' })}.${s}`],
    ['a truncated signature', `${h}.${p}.${s.slice(0, -10)}`],
    ['expired', sign(rsa, {}, { exp: now - 120 })],
    ['nbf in the future beyond tolerance', sign(rsa, { nbf: now + 600 })],
    ['iat in the future beyond tolerance', sign(rsa, { iat: now + 600 })],
    ['the wrong issuer', sign(rsa, {}, { iss: 'https://evil.test' })],
    ['the wrong audience', sign(rsa, {}, { aud: 'someone-else' })],
    ['no exp', sign(rsa, {}, { exp: null })],
    ['no sub', sign(rsa, { sub: undefined })],
    ['a jku header pointing elsewhere', sign(attacker, {}, { header: { jku: 'http://127.0.0.1:1/evil.json', kid: 'evil-1' } })],
    ['an x5u header pointing elsewhere', sign(attacker, {}, { header: { x5u: 'http://127.0.0.1:1/evil.pem' } })],
    ['an embedded jwk of the attacker', sign(attacker, {}, { header: { jwk: attacker.jwk } })],
    ['a crit header', sign(rsa, {}, { header: { crit: ['exp-x'], 'exp-x': 1 }, crit: { 'exp-x': true } })],
    ['no tenant', sign(rsa, { tenant: undefined })],
    ['a malformed tenant', sign(rsa, { tenant: '../other tenant' })],
    ['a huge token', `${h}.${'A'.repeat(10_000)}.${s}`],
    ['garbage in every segment', '!!!.???.***'],
    ['not base64 JSON', `${b64('not json')}.${b64('nor this')}.${s}`],
    ['two segments', `${h}.${p}`],
    ['five segments (JWE shape)', `${h}.${p}.${s}.${s}.${s}`],
    ['an empty token', ''],
  ]
  const bodies = new Set<string>()
  for (const [name, pending] of cases) {
    const token = await pending
    const err = await verifier.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    )
    t.ok(isGatewayError(err) && err.statusCode === 401 && err.code === 'GW_ERR_UNAUTHENTICATED', name)
    if (isGatewayError(err) && token) bodies.add(`${err.title}|${err.message}`)
  }
  t.equal(bodies.size, 1, 'every rejection reads the same to the client')
  t.ok(cases.length >= 15)
})
