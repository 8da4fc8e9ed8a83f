import { silentLogger } from '@catalog/kit/testing'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { gistsSource } from '../src/sources/gists-source.ts'
import { pickSource } from '../src/sources/source.ts'
import { startTestIngestion } from '../src/testing.ts'
import { fakeGitHub, gistsOf, TRUNCATE_AT } from './fake-github.ts'
import { as, finished, ingestionClient } from './helpers.ts'

const log = silentLogger()

const source = (apiUrl: string, over: Partial<Parameters<typeof gistsSource>[0]> = {}) =>
  gistsSource({
    apiUrl,
    rawOrigins: [],
    tokenOf: (tenant) => (tenant === 'acme' ? 'token-of-acme' : undefined),
    maxFileBytes: 4_096,
    maxGists: 10_000,
    maxRateLimitWaitMs: 10_000,
    requestTimeoutMs: 5_000,
    log,
    ...over,
  })

async function items(found: { open(): AsyncIterable<Buffer> }) {
  let text = ''
  for await (const chunk of found.open()) text += chunk.toString()
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown> & { attributes: { files: { raw_url: string }[] } })
}

t.test('a user gists are items: one per gist, files and download links in attributes, contents as text', async (t) => {
  const github = await fakeGitHub(t, {
    octocat: [
      ...gistsOf('octocat', 2),
      {
        id: 'big',
        description: 'a big one',
        files: [
          // Past the API's truncation and under the cap: read whole from its raw URL.
          { name: 'mid.txt', language: null, content: `${'m'.repeat(TRUNCATE_AT * 2)}tail-past-the-api-truncation` },
          // Past the cap: read to the cap.
          { name: 'big.txt', language: null, content: 'z'.repeat(10_000) },
        ],
      },
    ],
  })
  const gists = source(github.url)
  const found = await gists.find(new URL('github-gists://octocat'), '', { tenant: 'acme' })
  t.match(found, { uri: 'github-gists://octocat', contentKey: /^etag:W\/"/, shape: { format: 'ndjson', gzip: false } })
  const all = await items(found)
  t.equal(all.length, 3)
  t.match(all[0], {
    source: 'github-gists:octocat',
    external_id: 'octocat-0000',
    title: 'gist 0 of octocat',
    tags: ['shell', 'markdown'],
    published_at: '2026-01-02T03:04:05Z',
    attributes: { owner: 'octocat', file_count: 2, files: [{ name: 'script-0.sh', language: 'Shell', size: 21 }] },
  })
  t.match(all[0]?.description, /echo hello octocat 0[\s\S]*written in 2000/, 'every file in the searchable text')
  t.match(all[0]?.attributes.files[0]?.raw_url, `${github.url}/raw/octocat-0000/script-0.sh`, 'a download link per file')
  const bigText = all[2]?.description as string
  t.match(
    bigText,
    /^a big one\nmid\.txt\nm{2000}tail-past-the-api-truncation\nbig\.txt\n/,
    'a truncated file read whole from its raw URL',
  )
  t.equal(bigText.match(/z/g)?.length, 4_096, 'a file past the cap read to the cap')
  t.ok(
    github.requests.some((r) => r.path === '/raw/big/big.txt' && r.status === 206),
    'with a range of the cap, not the whole file',
  )
  t.notOk(
    github.requests.some((r) => r.path.startsWith('/gists/')),
    'contents come from the raw URLs, not an API request per gist',
  )
  t.ok(
    github.requests.filter((r) => !r.path.startsWith('/raw/')).every((r) => r.auth === 'token token-of-acme'),
    "the tenant's token on every API request",
  )

  // A raw URL on an origin not configured is never fetched: the API's truncated content stands.
  const far = {
    elsewhere: [
      { id: 'far', description: '', files: [{ name: 'far.txt', language: null, content: 'y'.repeat(TRUNCATE_AT + 10) }] },
    ],
  }
  const rawHost = await fakeGitHub(t, far)
  const api = await fakeGitHub(t, far, { rawBase: rawHost.url })
  const fromApi = await items(await source(api.url).find(new URL('github-gists://elsewhere'), '', { tenant: 't' }))
  t.equal(fromApi[0]?.description, `far.txt\n${'y'.repeat(TRUNCATE_AT)}\n`, 'the content the API gives, truncated as it is')
  t.same(rawHost.requests, [], 'nothing asked of the other origin')
  t.ok(
    api.requests.some((r) => r.path === '/gists/far'),
    'the gist read through the API instead',
  )
  const allowed = source(api.url, { rawOrigins: [rawHost.url] })
  const fromRaw = await items(await allowed.find(new URL('github-gists://elsewhere'), '', { tenant: 't' }))
  t.equal(fromRaw[0]?.description, `far.txt\n${'y'.repeat(TRUNCATE_AT + 10)}\n`, 'a configured origin is read')

  await t.rejects(gists.find(new URL('github-gists://no-such-user'), '', { tenant: 't' }), { code: 'ING_ERR_SOURCE_NOT_FOUND' })
  for (const bad of ['github-gists://-bad', 'github-gists://a/b', 'github-gists://with_underscore'])
    await t.rejects(gists.find(new URL(bad), '', { tenant: 't' }), { code: 'ING_ERR_INVALID_ARGUMENT' }, bad)
  t.throws(() => pickSource('github-gists://octocat', { file: gists }), /github-gists:\/\/ is not enabled here/)
  t.equal(pickSource('github-gists://octocat', { file: gists, gists }).url.hostname, 'octocat')
})

t.test('an import follows the pages, waits out a rate limit, and a re-run of unchanged gists costs one 304', async (t) => {
  const github = await fakeGitHub(t, { octocat: gistsOf('octocat', 250) })
  const gists = source(github.url)
  const ing = await startTestIngestion(t, {}, { gists })
  const client = ingestionClient(t, ing.address)
  const tenant = `gists-${Date.now()}`

  // A start that meets the rate limit answers at once (503), never waits for its reset.
  github.limitNext(1)
  await t.rejects(client.call('StartIngestion', { uri: 'github-gists://octocat' }, as(tenant)), {
    code: status.UNAVAILABLE,
    message: /GitHub rate limit/,
  })
  // A running import that meets it waits for its reset and goes on.
  github.limitOn('/users/octocat/gists?per_page=100&page=2')
  const { job } = await client.call('StartIngestion', { uri: 'github-gists://octocat' }, as(tenant))
  const done = await finished(client, tenant, job?.id ?? '')
  t.match(done, { state: 'JOB_STATE_COMPLETED', accepted: '250', rejected: '0' })
  t.ok(
    github.requests.some((r) => r.path === '/users/octocat/gists?per_page=100&page=2' && r.status === 403),
    'the rate limit was met on the second page, and waited out',
  )
  const pages = github.requests.filter((r) => r.path.startsWith('/users/octocat/gists') && r.status === 200).map((r) => r.path)
  t.same(
    pages.slice(-3),
    ['/users/octocat/gists?per_page=100', '/users/octocat/gists?per_page=100&page=2', '/users/octocat/gists?per_page=100&page=3'],
    'three pages, by their Link headers',
  )

  const before = github.requests.length
  const again = await client.call('StartIngestion', { uri: 'github-gists://octocat' }, as(tenant))
  t.equal(again.duplicate, true, 'nothing changed: the last job answers')
  t.same(
    github.requests.slice(before).map((r) => r.status),
    [304],
    'one conditional request, answered 304',
  )
})
