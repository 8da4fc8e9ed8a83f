import { pollUntil, silentLogger } from '@catalog/kit/testing'
import { structToJson } from '@catalog/proto'
import t from 'tap'
import { gistsSource } from '../src/sources/gists-source.ts'
import { startTestIngestion } from '../src/testing.ts'
import { platform } from './e2e-platform.ts'
import { fakeGitHub, gistsOf } from './fake-github.ts'
import { as, finished, ingestionClient } from './helpers.ts'

const log = silentLogger()

t.test("the gist seed: a user's gists imported, then found by regular expression with their download links", async (t) => {
  const { searchAs } = await platform(t, 'e2e-gists')
  const github = await fakeGitHub(t, { octocat: gistsOf('octocat', 120) })
  const gists = gistsSource({
    apiUrl: github.url,
    rawOrigins: [],
    tokenOf: () => undefined,
    maxFileBytes: 64 * 1024,
    maxGists: 10_000,
    maxRateLimitWaitMs: 10_000,
    requestTimeoutMs: 5_000,
    log,
  })
  const ing = await startTestIngestion(t, {}, { gists })
  const client = ingestionClient(t, ing.address)
  const tenant = `gists-${Date.now()}`
  const { job } = await client.call('StartIngestion', { uri: 'github-gists://octocat' }, as(tenant))
  t.equal((await finished(client, tenant, job?.id ?? '')).accepted, '120')
  // GET /v1/search?source=github-gists:octocat&pattern=\d{4}: every tenth gist holds a note with a year.
  const query = { source: 'github-gists:octocat', pattern: '\\d{4}', limit: 5 }
  const first = await pollUntil(
    () => searchAs(tenant, query),
    (r) => Number(r.estimated_total) === 12,
    30_000,
  )
  t.equal(first.hits.length, 5, 'paged')
  const hit = first.hits[0]
  t.match(hit, { source: 'github-gists:octocat', external_id: /^octocat-\d{4}$/ })
  const files = (structToJson(hit?.attributes ?? { fields: {} }) as { files: { name: string; raw_url: string }[] }).files
  t.ok(
    files.some((f) => f.name.startsWith('notes-') && f.raw_url.startsWith(`${github.url}/raw/`)),
    'a download link for each file of the match',
  )
  const ids = new Set(first.hits.map((h) => h.external_id))
  let cursor = first.next_cursor
  while (cursor) {
    const page = await searchAs(tenant, { ...query, cursor })
    for (const h of page.hits) ids.add(h.external_id)
    cursor = page.next_cursor
  }
  t.same(
    [...ids].sort(),
    Array.from({ length: 12 }, (_, i) => `octocat-${String(i * 10).padStart(4, '0')}`),
    'the matching gists, every page',
  )
})
