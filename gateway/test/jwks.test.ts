import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { silentLogger } from '@catalog/kit/testing'
import { exportJWK } from 'jose'
import t from 'tap'
import type { Authenticator, AuthOptions } from '../src/auth/authenticator.ts'
import { createAuthenticator } from '../src/auth/authenticator.ts'
import type { SigningKey } from './helpers/jwks-server.ts'
import { AUDIENCE, ISSUER, sign, signingKey, startJwksServer } from './helpers/jwks-server.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

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

function authenticator(t: Tap, options: AuthOptions): Authenticator {
  const auth = createAuthenticator(options, silentLogger())
  t.teardown(() => auth.close())
  return auth
}

const passes = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  )

async function until(check: () => Promise<boolean> | boolean, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return true
    await sleep(10)
  }
  return false
}

/** A loopback HTTP server whose behaviour the test sets, counting requests. */
async function serve(t: Tap, handle: Handler) {
  const state = { requests: 0, handle }
  const server = createServer((req, res) => {
    state.requests++
    state.handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const close = () => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  }
  t.teardown(() => server.listening && close())
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, state, close }
}

const jwksBody = (...keys: SigningKey[]) => JSON.stringify({ keys: keys.map((k) => k.jwk) })
const answer =
  (body: string): Handler =>
  (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(body)

t.test('a key published to the JWKS works on its first use, with one refetch', async (t) => {
  const old = await signingKey('ES256', 'k1')
  const jwks = await startJwksServer(t, [old])
  const auth = authenticator(t, { ...base(jwks.url), cooldownMs: 50 })
  await auth.verify(await sign(old))
  t.equal(jwks.state.fetches, 1)
  await sleep(60) // the issuer rotates some time after our last fetch
  const rotated = await signingKey('ES256', 'k2')
  jwks.state.keys = [old, rotated]
  t.ok(await passes(auth.verify(await sign(rotated))), 'the new kid verifies at once')
  t.ok(await passes(auth.verify(await sign(old))), 'and the old one still does')
  t.equal(jwks.state.fetches, 2, 'one refetch')
})

t.test('a key removed from the JWKS stops working after the cache age', async (t) => {
  const old = await signingKey('ES256', 'k1')
  const next = await signingKey('ES256', 'k2')
  const jwks = await startJwksServer(t, [old, next])
  const auth = authenticator(t, { ...base(jwks.url), cacheMaxAgeMs: 200, cooldownMs: 0 })
  const token = await sign(old)
  t.ok(await passes(auth.verify(token)))
  jwks.state.keys = [next]
  await sleep(210)
  t.ok(await passes(auth.verify(token)), 'the refresh does not hold up a token whose key is cached')
  t.ok(await until(async () => !(await passes(auth.verify(token)))), 'the removed key is refused once a refresh succeeded')
  t.ok(await passes(auth.verify(await sign(next))), 'the remaining key still works')
})

t.test('a flood of unknown kids costs at most one fetch per cooldown', async (t) => {
  const key = await signingKey('ES256', 'k1')
  const stranger = await signingKey('ES256', 'stranger')
  const jwks = await startJwksServer(t, [key])
  const auth = authenticator(t, { ...base(jwks.url), cooldownMs: 300 })
  const strangers = () => Promise.all(Array.from({ length: 200 }, () => sign(stranger, {}, { header: { kid: randomUUID() } })))
  const flood = async (tokens: string[]) =>
    (await Promise.all(tokens.map((token) => passes(auth.verify(token))))).every((ok) => !ok)
  const [first, second] = [await strangers(), await strangers()]
  await auth.verify(await sign(key))
  t.ok((await flood(first)) && jwks.state.fetches === 1, 'within the cooldown: refused without fetching')
  await sleep(310)
  t.ok(await flood(second), 'after it: every unknown kid is refused')
  t.equal(jwks.state.fetches, 2, '200 concurrent misses shared one fetch')
  t.ok(await passes(auth.verify(await sign(key))), 'the known key works throughout')
})

t.test('when the JWKS answers 500 the last good keys keep working', async (t) => {
  const key = await signingKey('RS256', 'k1')
  const jwks = await startJwksServer(t, [key])
  const auth = authenticator(t, { ...base(jwks.url), cacheMaxAgeMs: 50, cooldownMs: 0 })
  const token = await sign(key)
  t.ok(await passes(auth.verify(token)))
  jwks.state.failing = true
  // Refreshes happen on use: each poll verifies, which refreshes the aged keys in the background.
  t.ok(await until(async () => (await passes(auth.verify(token))) && /500/.test(auth.status().lastError ?? '')))
  for (let i = 0; i < 5; i++) t.ok(await passes(auth.verify(token)), `the cached key still verifies (${i})`)
  t.match(auth.status(), { keys: 1, lastError: /HTTP 500/ })
  const err = await auth.verify(await sign(await signingKey('RS256', 'new-kid'))).catch((e: unknown) => e)
  t.match(err, { statusCode: 401, code: 'GW_ERR_UNAUTHENTICATED' }, 'a new kid fails cleanly')
  jwks.state.failing = false
  t.ok(await until(async () => (await passes(auth.verify(token))) && auth.status().lastError === undefined), 'it recovers')
})

t.test('when the JWKS server is gone, hangs or sends junk, the last good keys keep working', async (t) => {
  const key = await signingKey('ES256', 'k1')
  const server = await serve(t, answer(jwksBody(key)))
  const auth = authenticator(t, { ...base(server.url), cacheMaxAgeMs: 20, cooldownMs: 0, fetchTimeoutMs: 200 })
  const token = await sign(key)
  t.ok(await passes(auth.verify(token)))
  const failedWith = (error: RegExp) => async () =>
    (await passes(auth.verify(token))) && error.test(auth.status().lastError ?? '')
  const behaviours: [string, Handler, RegExp][] = [
    ['invalid JSON', answer('{"keys": ['), /JSON/],
    ['no keys array', answer('{"keys": "none"}'), /no "keys" array/],
    ['a body over the size cap', answer(`{"keys": [], "pad": "${'x'.repeat(300 * 1024)}"}`), /over 262144 bytes/],
    ['no answer within the timeout', () => {}, /timeout/],
  ]
  for (const [name, handle, error] of behaviours) {
    server.state.handle = handle
    t.ok(await until(failedWith(error)), name)
    t.ok(await passes(auth.verify(token)), `${name}: the cached key verifies`)
    t.equal(auth.status().keys, 1)
  }
  await server.close()
  t.ok(await until(failedWith(/ECONNREFUSED/)), 'server gone')
  t.ok(await passes(auth.verify(token)), 'server gone: the cached key verifies')
  t.notOk(await passes(auth.verify(await sign(await signingKey('ES256', 'k2')))), 'server gone: an unknown kid is a 401')
})

// A verify that waited for the held refresh would never end: the test then fails on its own timeout.
t.test('a verify with aged keys does not wait for the refresh it starts', { timeout: 30_000 }, async (t) => {
  const key = await signingKey('ES256', 'k1')
  const server = await serve(t, answer(jwksBody(key)))
  // The fetch would give up only after ten minutes, long past this test's timeout.
  const auth = authenticator(t, { ...base(server.url), cacheMaxAgeMs: 20, cooldownMs: 0, fetchTimeoutMs: 600_000 })
  const token = await sign(key)
  t.ok(await passes(auth.verify(token)), 'the keys load')
  const held: ServerResponse[] = []
  server.state.handle = (_req, res) => {
    held.push(res)
  }
  await sleep(40) // past cacheMaxAgeMs: the next verify refreshes
  const before = server.state.requests
  t.ok(await passes(auth.verify(token)), 'the aged key verifies')
  t.ok(await until(() => server.state.requests === before + 1), 'and its verify started one refresh')
  t.equal(held.length, 1)
  t.notOk(held[0]?.headersSent, 'which is still unanswered')
  t.ok(await passes(auth.verify(token)), 'verifies go on meanwhile')
  t.equal(server.state.requests, before + 1, 'sharing the refresh in flight')
})

t.test('a JWKS that never loaded is a 401 (jwks unavailable), retried once per cooldown', async (t) => {
  const key = await signingKey('ES256', 'k1')
  const server = await serve(t, (_req, res) => res.writeHead(503).end())
  const auth = authenticator(t, { ...base(server.url), cooldownMs: 200 })
  const errors = await Promise.all(Array.from({ length: 20 }, async () => auth.verify(await sign(key)).catch((e: unknown) => e)))
  t.ok(
    errors.every((e) => (e as { statusCode?: number }).statusCode === 401),
    'every request is a 401',
  )
  t.match(errors[0], { reason: 'jwks unavailable' })
  t.match(auth.status(), { keys: 0, lastSuccessAt: undefined, lastError: /HTTP 503/ })
  t.equal(server.state.requests, 1, 'concurrent requests shared one fetch')
  server.state.handle = answer(jwksBody(key))
  t.notOk(await passes(auth.verify(await sign(key))), 'within the cooldown nothing is fetched')
  t.ok(await until(async () => passes(auth.verify(await sign(key)))), 'after it the JWKS loads and tokens verify')
  t.equal(server.state.requests, 2)
})

t.test('only signature keys of an allowed algorithm are used', async (t) => {
  const good = await signingKey('ES256', 'good')
  const enc = await signingKey('ES256', 'enc')
  const other = await signingKey('ES256', 'other-alg')
  const rsa = await signingKey('RS256', 'private')
  const keys = [
    good.jwk,
    { ...enc.jwk, use: 'enc' },
    { ...other.jwk, alg: 'ES384' },
    { ...(await exportJWK(rsa.privateKey)), kid: 'private', alg: 'RS256' },
    { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
    'not a key',
  ]
  const server = await serve(t, answer(JSON.stringify({ keys })))
  const auth = authenticator(t, base(server.url))
  t.ok(await passes(auth.verify(await sign(good))))
  t.equal(auth.status().keys, 1)
  t.notOk(await passes(auth.verify(await sign(enc))), 'use: enc is refused')
  t.notOk(await passes(auth.verify(await sign(other))), 'a key for another algorithm is refused')
  t.notOk(await passes(auth.verify(await sign(rsa))), 'a private key published by mistake is refused')
})

t.test('a JWKS in a local file works, as a path or a file:// URL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jwks-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const key = await signingKey('ES256', 'file-key')
  const path = join(dir, 'jwks.json')
  writeFileSync(path, jwksBody(key))
  const byPath = authenticator(t, { ...base(path), cooldownMs: 50 })
  t.equal((await byPath.verify(await sign(key))).tenant, 'acme', 'a plain path')
  const byUrl = authenticator(t, base(pathToFileURL(path).href))
  t.equal((await byUrl.verify(await sign(key))).tenant, 'acme', 'a file:// URL')

  const rotated = await signingKey('ES256', 'file-key-2')
  writeFileSync(path, jwksBody(key, rotated))
  await sleep(60)
  t.ok(await passes(byPath.verify(await sign(rotated))), 'a key added to the file is picked up')

  const missing = authenticator(t, base(join(dir, 'missing.json')))
  t.match(await missing.verify(await sign(key)).catch((e: unknown) => e), { statusCode: 401, reason: 'jwks unavailable' })
  t.match(missing.status(), { keys: 0, lastError: /ENOENT/ })
})

t.test('a closed authenticator fetches nothing more', async (t) => {
  const key = await signingKey('ES256', 'k1')
  const jwks = await startJwksServer(t, [key])
  const auth = createAuthenticator({ ...base(jwks.url), cooldownMs: 0 }, silentLogger())
  await auth.verify(await sign(key))
  auth.close()
  t.notOk(await passes(auth.verify(await sign(await signingKey('ES256', 'k2')))))
  t.equal(jwks.state.fetches, 1)
})

t.test('a verified token is remembered for at most the verified-cache time', async (t) => {
  const key = await signingKey('ES256', 'k1')
  const other = await signingKey('ES256', 'k2')
  const jwks = await startJwksServer(t, [key, other])
  const auth = authenticator(t, { ...base(jwks.url), cacheMaxAgeMs: 50, cooldownMs: 0, verifiedCacheMs: 300 })
  const token = await sign(key)
  await auth.verify(token)
  jwks.state.keys = [other]
  await sleep(60)
  await auth.verify(await sign(other)) // starts the refresh that drops k1
  t.ok(await until(() => jwks.state.fetches === 2))
  t.ok(await passes(auth.verify(token)), 'the remembered token still passes for a moment')
  t.equal(auth.remembered(token)?.subject, 'u1', 'and is known at once, without a promise')
  t.ok(await until(async () => !(await passes(auth.verify(token)))), 'and not past the verified-cache time')
  t.equal(auth.remembered(token), undefined)
  const refused = `${token.slice(0, -4)}AAAA`
  t.notOk(await passes(auth.verify(refused)))
  t.equal(auth.remembered(refused), undefined, 'a token that failed is never remembered')
})
