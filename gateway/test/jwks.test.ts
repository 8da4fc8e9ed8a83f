import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@catalog/kit/testing'
import t from 'tap'
import type { AuthOptions } from '../src/auth/token-verifier.ts'
import { createTokenVerifier } from '../src/auth/token-verifier.ts'
import { AUDIENCE, ISSUER, sign, signingKey, startJwksServer } from './helpers/jwks-server.ts'

const base = (jwksUrl: string): AuthOptions => ({
  jwksUrl,
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256', 'ES256'],
  clockToleranceSec: 5,
  cooldownMs: 60_000,
  cacheMaxAgeMs: 600_000,
  fetchTimeoutMs: 1_000,
  maxTokenBytes: 8_192,
})

const passes = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  )

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return false
}

t.test('a key published to the JWKS works on its first use, with one refetch', async (t) => {
  const old = await signingKey('ES256', 'k1')
  const jwks = await startJwksServer(t, [old])
  const verifier = createTokenVerifier({ ...base(jwks.url), cooldownMs: 50 }, silentLogger())
  await verifier.verify(await sign(old))
  t.equal(jwks.state.fetches, 1)
  await new Promise((r) => setTimeout(r, 60)) // the issuer rotates a while after our last fetch
  const rotated = await signingKey('ES256', 'k2')
  jwks.state.keys = [old, rotated]
  t.ok(await passes(verifier.verify(await sign(rotated))), 'the new kid verifies at once')
  t.equal(jwks.state.fetches, 2)
})

t.test('a key removed from the JWKS stops working after the cache age', async (t) => {
  const old = await signingKey('ES256', 'k1')
  const next = await signingKey('ES256', 'k2')
  const jwks = await startJwksServer(t, [old, next])
  const verifier = createTokenVerifier({ ...base(jwks.url), cacheMaxAgeMs: 200, cooldownMs: 0 }, silentLogger())
  const token = await sign(old)
  t.ok(await passes(verifier.verify(token)))
  jwks.state.keys = [next]
  t.ok(await until(async () => !(await passes(verifier.verify(token)))), 'the removed key is refused once the cache has aged')
  t.ok(await passes(verifier.verify(await sign(next))), 'the remaining key still works')
})

t.test('a flood of random kids costs at most one fetch per cooldown', async (t) => {
  const key = await signingKey('ES256', 'k1')
  const jwks = await startJwksServer(t, [key])
  const verifier = createTokenVerifier(base(jwks.url), silentLogger())
  await verifier.verify(await sign(key))
  const fetchesBefore = jwks.state.fetches
  const strangers = await Promise.all(Array.from({ length: 5 }, (_, i) => signingKey('ES256', `random-${i}`)))
  const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => sign(strangers[i % 5] as (typeof strangers)[0])))
  const results = await Promise.all(tokens.map((tok) => passes(verifier.verify(tok))))
  t.ok(
    results.every((ok) => !ok),
    'every unknown kid is refused',
  )
  t.ok(jwks.state.fetches - fetchesBefore <= 1, `at most one fetch (made ${jwks.state.fetches - fetchesBefore})`)
})

t.test('when the JWKS endpoint is down the last good keys keep working', async (t) => {
  const key = await signingKey('RS256', 'k1')
  const jwks = await startJwksServer(t, [key])
  const verifier = createTokenVerifier({ ...base(jwks.url), cacheMaxAgeMs: 50, cooldownMs: 0 }, silentLogger())
  t.ok(await passes(verifier.verify(await sign(key))))
  jwks.state.failing = true
  await new Promise((r) => setTimeout(r, 100))
  for (let i = 0; i < 5; i++) t.ok(await passes(verifier.verify(await sign(key))), `cached key still verifies (${i})`)
  t.ok(jwks.state.fetches > 1, 'refreshes were attempted')
  t.match(verifier.status(), { keys: 1, lastError: /500/ })
  t.notOk(await passes(verifier.verify(await sign(await signingKey('RS256', 'new-kid')))), 'a new kid fails cleanly')
})

t.test('a JWKS in a local file works, as in local development', async (t) => {
  const key = await signingKey('ES256', 'file-key')
  const path = join(mkdtempSync(join(tmpdir(), 'jwks-')), 'jwks.json')
  writeFileSync(path, JSON.stringify({ keys: [key.jwk] }))
  const verifier = createTokenVerifier(base(path), silentLogger())
  t.equal((await verifier.verify(await sign(key))).tenant, 'acme')
  const unreachable = createTokenVerifier(base('/nonexistent/jwks.json'), silentLogger())
  const err = await unreachable.verify(await sign(key)).catch((e: { statusCode?: number }) => e)
  t.equal((err as { statusCode?: number }).statusCode, 401, 'no JWKS at all is a 401, not a crash')
})

t.test('a verified token is remembered for at most the cache time', async (t) => {
  const key = await signingKey('ES256', 'k1')
  const other = await signingKey('ES256', 'k2')
  const jwks = await startJwksServer(t, [key, other])
  const verifier = createTokenVerifier(
    { ...base(jwks.url), cacheMaxAgeMs: 50, cooldownMs: 0, verifiedCacheMs: 300 },
    silentLogger(),
  )
  const token = await sign(key)
  await verifier.verify(token)
  jwks.state.keys = [other]
  await verifier.verify(await sign(other)) // the key set refreshes without k1
  t.ok(await passes(verifier.verify(token)), 'the remembered token still passes for a moment')
  t.ok(await until(async () => !(await passes(verifier.verify(token)))), 'and not past the cache time')
})
