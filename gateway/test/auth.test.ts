import { createHmac, createPublicKey } from 'node:crypto'
import { silentLogger } from '@catalog/kit/testing'
import { SignJWT, UnsecuredJWT } from 'jose'
import t from 'tap'
import type { Authenticator, AuthOptions } from '../src/auth/authenticator.ts'
import { createAuthenticator } from '../src/auth/authenticator.ts'
import { isGatewayError } from '../src/errors.ts'
import { startCatalog, startGateway } from './helpers/gateway.ts'
import type { SigningKey } from './helpers/jwks-server.ts'
import { AUDIENCE, ISSUER, sign, signingKey, startJwksServer } from './helpers/jwks-server.ts'

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)

const options = (jwksUrl: string): AuthOptions => ({
  jwksUrl,
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256', 'ES256', 'EdDSA'],
  clockToleranceSec: 30,
  cooldownMs: 60_000,
  cacheMaxAgeMs: 600_000,
  fetchTimeoutMs: 1_000,
  maxTokenBytes: 8_192,
})

const failure = (authenticator: Authenticator, token: string) =>
  authenticator.verify(token).then(
    () => undefined,
    (err: unknown) => err,
  )

/** An HS256 token whose secret is `secret`, as an attacker holding only the public key makes one. */
function hmacToken(secret: string | Buffer, kid: string): string {
  const head = b64({ alg: 'HS256', kid, typ: 'JWT' })
  const body = b64({ tenant: 'acme', scope: 'items:read', sub: 'u1', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`
}

function publicKeyBytes(key: SigningKey): { pem: string; jwk: string } {
  const pem = createPublicKey({ key: key.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
  return { pem: pem.toString(), jwk: JSON.stringify(key.jwk) }
}

t.test('valid tokens give their subject, tenant and scopes', async (t) => {
  const rsa = await signingKey('RS256', 'rsa-1')
  const ec = await signingKey('ES256', 'ec-1')
  const ed = await signingKey('EdDSA', 'ed-1')
  const jwks = await startJwksServer(t, [rsa, ec, ed])
  const auth = createAuthenticator(options(jwks.url), silentLogger())
  t.teardown(() => auth.close())

  const rs = await auth.verify(await sign(rsa, { scope: 'items:read items:write' }))
  t.same(rs, { subject: 'u1', tenant: 'acme', scopes: ['items:read', 'items:write'], expiresAt: rs.expiresAt }, 'RS256')
  t.ok(rs.expiresAt > now(), 'expiresAt is the exp in seconds')
  t.same((await auth.verify(await sign(ec, { tenant: 'tenant.b:1', sub: 'svc' }))).tenant, 'tenant.b:1', 'ES256')
  t.same((await auth.verify(await sign(ed))).subject, 'u1', 'EdDSA')
  t.same((await auth.verify(await sign(rsa, { scope: undefined, scp: ['search:read'] }))).scopes, ['search:read'], 'scp array')
  t.same((await auth.verify(await sign(rsa, { scope: 'a  b "c' }))).scopes, ['a', 'b'], 'malformed scope tokens are dropped')
  t.ok(await auth.verify(await sign(rsa, { nbf: now() + 20 })), 'nbf within the clock tolerance passes')
  t.ok(await auth.verify(await sign(rsa, { iat: now() + 20 })), 'iat within the clock tolerance passes')
  t.ok(await auth.verify(await sign(rsa, {}, { exp: now() - 20 })), 'exp within the clock tolerance passes')
  t.ok(await auth.verify(await sign(ec, {}, { header: { kid: undefined } })), 'no kid, one key of the type: that key')
  t.equal(jwks.state.fetches, 1, 'one fetch served every token')
})

t.test('hostile tokens are each a 401, never anything else', async (t) => {
  const rsa = await signingKey('RS256', 'rsa-1')
  const ec = await signingKey('ES256', 'ec-1')
  const attacker = await signingKey('RS256', 'rsa-1')
  const jwks = await startJwksServer(t, [rsa, ec])
  const auth = createAuthenticator(options(jwks.url), silentLogger())
  t.teardown(() => auth.close())

  const valid = await sign(rsa)
  const [h, p, s] = valid.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
  const rsaPublic = publicKeyBytes(rsa)
  const ecSignature = (await sign(ec)).split('.')[2]
  const cases: [string, string | Promise<string>][] = [
    ['alg none', new UnsecuredJWT(claims).encode()],
    ['alg none with a real signature', `${b64({ alg: 'none', kid: 'rsa-1' })}.${p}.${s}`],
    ['HS256 keyed with the RSA public key (PEM)', hmacToken(rsaPublic.pem, 'rsa-1')],
    ['HS256 keyed with the RSA public key (JWK)', hmacToken(rsaPublic.jwk, 'rsa-1')],
    ['an RSA kid with an EC algorithm', `${b64({ alg: 'ES256', kid: 'rsa-1' })}.${p}.${ecSignature}`],
    ['an unknown kid', sign(await signingKey('RS256', 'nobody'))],
    ['a tampered payload', `${h}.${b64({ ...claims, tenant: 'evil' })}.${s}`],
    ['a truncated signature', `${h}.${p}.${s.slice(0, -10)}`],
    ['an empty signature', `${h}.${p}.`],
    ['expired beyond the tolerance', sign(rsa, {}, { exp: now() - 120 })],
    ['nbf in the future beyond the tolerance', sign(rsa, { nbf: now() + 600 })],
    ['iat in the future beyond the tolerance', sign(rsa, { iat: now() + 600 })],
    ['the wrong issuer', sign(rsa, {}, { iss: 'https://evil.test' })],
    ['the wrong audience', sign(rsa, {}, { aud: 'someone-else' })],
    ['no exp', sign(rsa, {}, { exp: null })],
    ['no sub', sign(rsa, { sub: undefined })],
    ['a sub that is not a string', sign(rsa, { sub: 42 })],
    ['a jku header pointing elsewhere', sign(attacker, {}, { header: { jku: 'http://127.0.0.1:1/evil.json', kid: 'evil-1' } })],
    ['an x5u header pointing elsewhere', sign(attacker, {}, { header: { x5u: 'http://127.0.0.1:1/evil.pem', kid: 'evil-2' } })],
    ['an embedded jwk of the attacker under a known kid', sign(attacker, {}, { header: { jwk: attacker.jwk } })],
    ['an embedded jwk of the attacker without kid', sign(attacker, {}, { header: { jwk: attacker.jwk, kid: undefined } })],
    ['an unknown crit extension', sign(rsa, {}, { header: { crit: ['exp-x'], 'exp-x': 1 }, crit: { 'exp-x': true } })],
    ['a crit extension jose knows (b64)', sign(rsa, {}, { header: { crit: ['b64'], b64: true } })],
    ['no tenant', sign(rsa, { tenant: undefined })],
    ['a malformed tenant', sign(rsa, { tenant: '../other tenant' })],
    ['a tenant that is not a string', sign(rsa, { tenant: ['acme'] })],
    ['a huge token', `${h}.${'A'.repeat(10_000)}.${s}`],
    ['garbage in every segment', '!!!.???.***'],
    ['segments that are not JSON', `${b64('not json')}.${b64('nor this')}.${s}`],
    ['a header that is a JSON array', `${b64([{ alg: 'RS256' }])}.${p}.${s}`],
    ['a payload that is a JSON string', `${h}.${b64('"acme"')}.${s}`],
    ['two segments', `${h}.${p}`],
    ['five segments (JWE shape)', `${h}.${p}.${s}.${s}.${s}`],
    ['surrounding whitespace', ` ${valid}\n`],
  ]
  const seen = new Set<string>()
  for (const [name, pending] of cases) {
    const err = await failure(auth, await pending)
    t.ok(isGatewayError(err) && err.statusCode === 401 && err.code === 'GW_ERR_UNAUTHENTICATED', name)
    if (isGatewayError(err)) seen.add(`${err.title}|${err.message}|${err.headers['www-authenticate']}`)
  }
  t.same([...seen], ['Unauthenticated|The bearer token is not valid.|Bearer realm="catalog", error="invalid_token"'])
  t.ok(cases.length >= 15, `${cases.length} kinds of hostile token`)
  t.equal(jwks.state.fetches, 1, 'no hostile token made the gateway fetch anything but the first JWKS')
})

t.test('the cause of a refusal goes to reason, for the log only', async (t) => {
  const rsa = await signingKey('RS256', 'rsa-1')
  const jwks = await startJwksServer(t, [rsa])
  const auth = createAuthenticator(options(jwks.url), silentLogger())
  t.teardown(() => auth.close())
  const reason = async (token: string) => ((await failure(auth, token)) as { reason?: string }).reason
  t.equal(await reason(await sign(rsa, {}, { exp: now() - 120 })), 'ERR_JWT_EXPIRED exp')
  t.equal(await reason(await sign(rsa, {}, { aud: 'x' })), 'ERR_JWT_CLAIM_VALIDATION_FAILED aud')
  t.equal(await reason(await sign(rsa, { iat: now() + 600 })), 'iat in the future')
  t.equal(await reason(hmacToken('secret', 'rsa-1')), 'ERR_JOSE_ALG_NOT_ALLOWED')
  t.equal(await reason(await sign(rsa, { tenant: 'a b' })), 'malformed tenant')
})

t.test('a missing token is invalid_request; anything that is not a string too', async (t) => {
  const auth = createAuthenticator(options('http://127.0.0.1:1/jwks.json'), silentLogger())
  t.teardown(() => auth.close())
  for (const token of ['', undefined, null, 42]) {
    const err = await failure(auth, token as string)
    t.ok(isGatewayError(err) && err.statusCode === 401, `${JSON.stringify(token)} is a 401`)
    t.equal((err as { headers?: Record<string, string> }).headers?.['www-authenticate'], 'Bearer realm="catalog"')
  }
})

t.test('HMAC tokens fail even when an operator allows HS256 by mistake', async (t) => {
  const rsa = await signingKey('RS256', 'rsa-1')
  const jwks = await startJwksServer(t, [rsa])
  const auth = createAuthenticator({ ...options(jwks.url), algorithms: ['RS256', 'HS256'] }, silentLogger())
  t.teardown(() => auth.close())
  const { pem, jwk } = publicKeyBytes(rsa)
  for (const secret of [pem, jwk]) {
    const err = await failure(auth, hmacToken(secret, 'rsa-1'))
    t.ok(isGatewayError(err) && err.statusCode === 401, 'refused: the JWKS never yields an HMAC secret')
  }
  const noKid = new SignJWT({ tenant: 'acme', sub: 'u1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('5m')
    .sign(Buffer.from(pem))
  t.ok(isGatewayError(await failure(auth, await noKid)), 'without kid as well')
})

t.test('a JWKS over plain http to another host stops the start, unless allowed', async (t) => {
  const { address } = await startCatalog(t)
  const remote = { AUTH_JWKS_URL: 'http://issuer.example/.well-known/jwks.json' }
  await t.rejects(startGateway(t, address, remote), /AUTH_JWKS_URL is plain http.*use https, or set AUTH_ALLOW_HTTP_JWKS=true/)
  t.ok(await startGateway(t, address, { ...remote, AUTH_ALLOW_HTTP_JWKS: 'true' }), 'explicitly allowed')
  t.ok(await startGateway(t, address, { ...remote, NODE_ENV: 'development' }), 'in development')
  t.ok(await startGateway(t, address, { AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json' }), 'over loopback, no one is on the way')
  t.ok(await startGateway(t, address, { AUTH_JWKS_URL: 'https://issuer.example/.well-known/jwks.json' }), 'https')
})

t.test('with AUTH_REQUIRED_TYP, a token of another typ (an ID token) is a 401', async (t) => {
  const { address } = await startCatalog(t)
  const gw = await startGateway(t, address, { AUTH_REQUIRED_TYP: 'at+jwt' })
  const status = async (typ: string | undefined) => {
    const token = await gw.identity.token({ tenant: 'acme', scope: 'items:read' }, 300, typ)
    const url = '/v1/items/00000000-0000-4000-8000-000000000000'
    return (await gw.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).statusCode
  }
  t.equal(await status('at+jwt'), 404, 'an access token reaches the catalog')
  t.equal(await status('application/at+jwt'), 404, 'with the media type prefix too')
  t.equal(await status('JWT'), 401, 'an ID token does not')
  t.equal(await status(undefined), 401, 'nor a token that says nothing')
  await t.rejects(startGateway(t, address, { AUTH_REQUIRED_TYP: 'at jwt' }), /AUTH_REQUIRED_TYP/)
})
