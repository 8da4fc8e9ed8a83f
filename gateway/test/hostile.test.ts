// Hostile and broken input through the gateway, over real HTTP, in front of the real catalog,
// search and ingestion services: every case gets a 4xx (problem+json where the gateway answers),
// or, for a regex bomb the database's automaton runs in linear time, an answer; never a 5xx or a hang; afterwards every process is still ready, and nothing accepted before
// the barrage is lost or changed. The outcome of each case is printed as a table.
import { connect } from 'node:net'
import { startTestIngestion } from '@catalog/ingestion-service/testing'
import { startTestSearch, upserted } from '@catalog/search-service/testing'
import t from 'tap'
import { startCatalog, startGateway } from './helpers/gateway.ts'

interface Outcome {
  status: number
  type: string
}

interface Case {
  name: string
  /** What the gateway must answer: one status, or any 4xx. */
  expect: number | '4xx'
  /** Whether the answer comes from Node's HTTP parser, before the gateway (no problem+json). */
  raw?: boolean
  send: () => Promise<Outcome>
}

t.test('hostile input: a 4xx for every case, no 5xx, the processes stay up, nothing accepted is lost', async (t) => {
  const cat = await startCatalog(t)
  const search = await startTestSearch(t)
  const ing = await startTestIngestion(t)
  await search.index(upserted({ tenant: 'acme', title: 'Brass lamp', tags: ['home'] }))
  const gw = await startGateway(t, cat.address, { SEARCH_ADDR: search.address, INGESTION_ADDR: ing.address })
  await gw.app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(gw.app.server.address() as { port: number }).port}`
  const acme = await gw.auth('acme')
  const json = { ...acme, 'content-type': 'application/json' }

  // What was accepted before the barrage, to find intact after it.
  const created = await fetch(`${base}/v1/items`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({
      source: 'shop',
      external_id: 'keep-1',
      title: 'Kept lamp',
      price: { amount_minor: 1999, currency: 'EUR' },
    }),
  })
  t.equal(created.status, 201)
  const kept = (await created.json()) as { id: string; version: number }
  const otherTenant = (await (
    await fetch(`${base}/v1/items`, {
      method: 'POST',
      headers: { ...(await gw.auth('globex')), 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'shop', external_id: 'theirs', title: 'Not yours' }),
    })
  ).json()) as { id: string }

  const outcome = async (res: Response): Promise<Outcome> => {
    await res.arrayBuffer()
    return { status: res.status, type: res.headers.get('content-type') ?? '' }
  }
  const request = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init).then(outcome)
  const post = (path: string, body: string | Uint8Array, headers: Record<string, string> = json) =>
    request(path, { method: 'POST', headers, body })
  const item = (over: object) => JSON.stringify({ source: 'shop', external_id: `x-${Math.random()}`, title: 'A lamp', ...over })
  const searchFor = (query: string) => request(`/v1/search?${query}`, { headers: acme })
  /** Bytes straight onto the socket, for what fetch refuses to send. */
  const rawRequest = (head: string, body: Buffer = Buffer.alloc(0)) =>
    new Promise<Outcome>((resolve, reject) => {
      const { port } = gw.app.server.address() as { port: number }
      const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(head), body])))
      let answer = ''
      socket.on('data', (d) => {
        answer += d
      })
      socket.on('end', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
        resolve({ status, type: /content-type: ([^\r\n]+)/i.exec(answer)?.[1] ?? '' })
      })
      socket.on('error', reject)
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')))
    })

  const cases: Case[] = [
    // Bodies
    {
      name: 'body over the 1 MiB limit',
      expect: 413,
      send: () => post('/v1/items', item({ description: 'x'.repeat(2 * 1024 ** 2) })),
    },
    { name: 'truncated JSON', expect: 400, send: () => post('/v1/items', '{"source":"shop","external_id":"a","title":"La') },
    {
      name: 'JSON nested 100 000 deep',
      expect: 400,
      send: () => post('/v1/items', `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    },
    { name: 'title of the wrong type', expect: 400, send: () => post('/v1/items', item({ title: 12345 })) },
    { name: 'title of 100 000 characters', expect: 400, send: () => post('/v1/items', item({ title: 'x'.repeat(100_000) })) },
    { name: 'an unknown field', expect: 400, send: () => post('/v1/items', item({ owner: 'admin' })) },
    {
      name: '__proto__ in the body',
      expect: 400,
      send: () => post('/v1/items', '{"__proto__":{"admin":true},"source":"s","external_id":"p","title":"t"}'),
    },
    {
      name: 'a negative price',
      expect: 400,
      send: () => post('/v1/items', item({ price: { amount_minor: -1, currency: 'EUR' } })),
    },
    {
      name: 'a price past 2^53',
      expect: 400,
      send: () => post('/v1/items', item({ price: { amount_minor: 2 ** 60, currency: 'EUR' } })),
    },
    {
      name: 'a currency that is no ISO code',
      expect: 400,
      send: () => post('/v1/items', item({ price: { amount_minor: 1, currency: 'EURO' } })),
    },
    {
      name: '10 000 tags',
      expect: 400,
      send: () => post('/v1/items', item({ tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) })),
    },
    { name: 'a JSON array instead of an object', expect: 400, send: () => post('/v1/items', '[1,2,3]') },
    { name: 'JSON null', expect: 400, send: () => post('/v1/items', 'null') },
    { name: 'text/plain', expect: 415, send: () => post('/v1/items', 'title=lamp', { ...acme, 'content-type': 'text/plain' }) },
    {
      name: 'invalid UTF-8 in a string',
      expect: 400,
      send: () =>
        post(
          '/v1/items',
          Buffer.concat([
            Buffer.from('{"source":"s","external_id":"u","title":"'),
            Buffer.from([0xc3, 0x28, 0xff]),
            Buffer.from('"}'),
          ]),
        ),
    },
    {
      name: 'a merge patch that sets the title to null',
      expect: 400,
      send: () =>
        request(`/v1/items/${kept.id}`, {
          method: 'PATCH',
          headers: { ...acme, 'content-type': 'application/merge-patch+json' },
          body: '{"title":null}',
        }),
    },
    {
      name: 'a malformed If-Match',
      expect: '4xx',
      send: () =>
        request(`/v1/items/${kept.id}`, {
          method: 'PUT',
          headers: { ...json, 'if-match': 'W/"nope' },
          body: JSON.stringify({ title: 'Overwritten' }),
        }),
    },
    {
      name: 'a stale If-Match',
      expect: 412,
      send: () => request(`/v1/items/${kept.id}`, { method: 'DELETE', headers: { ...acme, 'if-match': '"999"' } }),
    },
    // Queries
    // PostgreSQL's regex engine is an automaton, not a backtracker: the classic bomb runs in
    // linear time and answers; what it cannot compile is refused; the statement timeout bounds the rest.
    {
      name: 'a catastrophic-backtracking regular expression',
      expect: 200,
      send: () => searchFor(`pattern=${encodeURIComponent('(a+)+$')}`),
    },
    {
      name: 'a regular expression too complex to compile',
      expect: 400,
      send: () => searchFor(`pattern=${encodeURIComponent('((((a{1,100}){1,100}){1,100}){1,100})')}`),
    },
    {
      name: 'a regular expression that does not parse',
      expect: 400,
      send: () => searchFor(`pattern=${encodeURIComponent('([a-z')}`),
    },
    { name: 'a search term past 256 characters', expect: 400, send: () => searchFor(`q=${'a'.repeat(300)}`) },
    { name: 'a date that is no date', expect: 400, send: () => searchFor('after=yesterday') },
    { name: 'a calendar date that does not exist', expect: 400, send: () => searchFor('before=2026-02-30') },
    {
      name: 'a pattern with a literal prefix and a range backwards',
      expect: 400,
      send: () => searchFor(`pattern=${encodeURIComponent('^Brass [z-a]')}`),
    },
    { name: 'a price bound that is no number', expect: 400, send: () => searchFor('min_price=NaN') },
    { name: 'a negative page size', expect: 400, send: () => searchFor('q=lamp&limit=-5') },
    { name: 'a page size of a billion', expect: 400, send: () => searchFor('q=lamp&limit=1000000000') },
    {
      name: 'a forged cursor',
      expect: 400,
      send: () => searchFor(`q=lamp&cursor=${Buffer.from('{"offset":-1}').toString('base64url')}`),
    },
    { name: 'an unknown sort', expect: 400, send: () => searchFor('q=lamp&sort=random()') },
    { name: 'an item id that is no UUID', expect: 400, send: () => request("/v1/items/1'%20OR%20'1'='1", { headers: acme }) },
    {
      name: 'malformed percent-encoding in the path',
      expect: 400,
      send: () => request('/v1/items/%E0%A4%A', { headers: acme }),
    },
    { name: 'malformed percent-encoding in the query', expect: 400, send: () => searchFor('q=%E0%A4%A') },
    {
      name: 'a regular expression too big for PostgreSQL to compile',
      expect: 400,
      send: () => searchFor(`pattern=${encodeURIComponent('((\\w{1,100}){1,100}){1,5}')}`),
    },
    {
      name: 'malformed percent-encoding in a parameter name',
      expect: 400,
      send: () => searchFor('q=lamp&%E0%A4%A=1'),
    },
    { name: "another tenant's item", expect: 404, send: () => request(`/v1/items/${otherTenant.id}`, { headers: acme }) },
    {
      name: "another tenant's item, deleted",
      expect: 404,
      send: () => request(`/v1/items/${otherTenant.id}`, { method: 'DELETE', headers: acme }),
    },
    {
      name: 'a page size of prices past the maximum',
      expect: 400,
      send: () => request(`/v1/items/${kept.id}/prices?limit=100000`, { headers: acme }),
    },
    // Headers
    { name: 'no Authorization', expect: 401, send: () => request('/v1/search?q=lamp') },
    {
      name: 'a Bearer that is no JWT',
      expect: 401,
      send: () => request('/v1/search?q=lamp', { headers: { authorization: 'Bearer not.a.jwt' } }),
    },
    {
      name: 'an unsigned token (alg none)',
      expect: 401,
      send: () => {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
        const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'x', tenant: 'acme', scope: 'items:read', exp: 4_102_444_800 })}.`
        return request('/v1/search?q=lamp', { headers: { authorization: `Bearer ${token}` } })
      },
    },
    {
      name: 'a token without the scope',
      expect: 403,
      send: async () =>
        request('/v1/items', {
          method: 'POST',
          headers: { ...(await gw.auth('acme', 'search:read')), 'content-type': 'application/json' },
          body: item({}),
        }),
    },
    {
      name: 'a 64 KiB header',
      expect: 431,
      raw: true,
      send: () => request('/v1/search?q=lamp', { headers: { ...acme, 'x-junk': 'x'.repeat(64 * 1024) } }),
    },
    {
      name: 'a Content-Length that lies (longer than the body)',
      expect: 400,
      raw: true,
      send: () =>
        rawRequest(
          `POST /v1/items HTTP/1.1\r\nHost: x\r\nAuthorization: ${acme.authorization}\r\nContent-Type: application/json\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
        ),
    },
    // Files and jobs
    {
      name: 'a file URI out of the drop folder',
      expect: 400,
      send: () => post('/v1/ingestions', JSON.stringify({ uri: 'file:///../../etc/passwd' })),
    },
    {
      name: 'a bucket the service may not read',
      expect: 400,
      send: () => post('/v1/ingestions', JSON.stringify({ uri: 's3://someone-elses-bucket/dump.ndjson' })),
    },
    {
      name: 'a URI scheme it does not read',
      expect: 400,
      send: () => post('/v1/ingestions', JSON.stringify({ uri: 'http://169.254.169.254/latest/meta-data/' })),
    },
    {
      name: 'a bulk upload that is not NDJSON or JSON',
      expect: 415,
      send: () => post('/v1/items:bulk', 'a,b,c\n1,2,3\n', { ...acme, 'content-type': 'text/csv' }),
    },
    {
      name: 'an Idempotency-Key of 10 000 characters',
      expect: 400,
      send: () =>
        post('/v1/items:bulk', '{"title":"x"}\n', {
          ...acme,
          'content-type': 'application/x-ndjson',
          'idempotency-key': 'k'.repeat(10_000),
        }),
    },
  ]

  const rows: string[] = []
  for (const c of cases) {
    const result = await c.send().catch((err: Error) => ({ status: 0, type: `failed: ${err.message}` }))
    const statusOk = c.expect === '4xx' ? result.status >= 400 && result.status < 500 : result.status === c.expect
    t.ok(statusOk, `${c.name}: ${c.expect}`, { got: result })
    t.ok(result.status > 0 && result.status < 500, `${c.name}: answered, and not with a 5xx`)
    if (!c.raw && result.status >= 400) t.match(result.type, /^application\/problem\+json/, `${c.name}: problem+json`)
    rows.push(`| ${c.name} | ${c.expect} | ${result.status} |`)
  }
  t.ok(cases.length >= 30, `${cases.length} cases`)
  t.comment(['| case | expected | got |', '| --- | --- | --- |', ...rows].join('\n'))

  const ready = await fetch(`${base}/readyz`)
  t.equal(ready.status, 200, 'the gateway and its backends are still ready')
  const after = await fetch(`${base}/v1/items/${kept.id}`, { headers: acme })
  t.equal(after.status, 200)
  t.match(
    await after.json(),
    { id: kept.id, version: kept.version, title: 'Kept lamp', price: { amount_minor: 1999 } },
    'the accepted item is intact',
  )
  const { rows: counted } = await cat.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM items WHERE tenant = 'acme'")
  t.equal(counted[0]?.n, 1, 'and nothing else was written for the tenant')
  const found = await fetch(`${base}/v1/search?q=brass`, { headers: acme })
  t.equal(found.status, 200, 'search answers')
})
