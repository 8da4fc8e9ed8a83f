import { randomBytes, randomUUID } from 'node:crypto'
import type { Metrics } from '@catalog/kit'
import { createMetrics, isUnavailable } from '@catalog/kit'
import { freePort, silentLogger } from '@catalog/kit/testing'
import t from 'tap'
import { loadSearchConfig } from '../src/config.ts'
import type { ItemDoc } from '../src/engine.ts'
import { EngineUnavailableError } from '../src/errors.ts'
import { EXACT_MAX, indexNames, indexTemplate } from '../src/opensearch/index-template.ts'
import { createOpenSearchClient, replyError } from '../src/opensearch/opensearch-client.ts'
import { createOpenSearchEngine } from '../src/opensearch/opensearch-engine.ts'
import { searchBody } from '../src/opensearch/opensearch-query.ts'
import type { SearchReply } from '../src/opensearch/opensearch-search.ts'
import { facetsOf } from '../src/opensearch/opensearch-search.ts'
import { checkRequest } from '../src/query/query-rules.ts'
import { snippetMarks } from '../src/query/snippet.ts'
import { configEnv } from './helpers/search.ts'

const OPENSEARCH = process.env.TEST_OPENSEARCH_URL
const UNSET = 'TEST_OPENSEARCH_URL is not set'
if (!OPENSEARCH && process.env.CI) throw new Error(`${UNSET}: scripts/test.sh starts OpenSearch and sets it`)
const skip = OPENSEARCH ? false : `${UNSET}: start the test servers with bash scripts/test.sh --servers-only`

t.test('the engine is a setting, and OpenSearch’s connection is checked at start', async (t) => {
  t.equal(loadSearchConfig(configEnv()).SEARCH_ENGINE, 'postgres', 'PostgreSQL by default')
  t.throws(() => loadSearchConfig(configEnv({ SEARCH_ENGINE: 'elastic' })), /invalid configuration: .*SEARCH_ENGINE/)
  const os = (extra: Record<string, string>) => loadSearchConfig(configEnv({ SEARCH_ENGINE: 'opensearch', ...extra }))
  t.throws(() => os({}), /SEARCH_ENGINE=opensearch needs OPENSEARCH_URL/)
  t.throws(() => os({ OPENSEARCH_URL: 'opensearch:9200' }), /invalid configuration: .*OPENSEARCH_URL/, 'a URL with its scheme')
  t.throws(
    () => os({ OPENSEARCH_URL: 'https://os:9200', OPENSEARCH_USERNAME: 'search' }),
    /OPENSEARCH_USERNAME and a password .* go together/,
  )
  t.throws(
    () => os({ OPENSEARCH_URL: 'http://os:9200', OPENSEARCH_CA_FILE: 'ca.pem' }),
    /OPENSEARCH_CA_FILE needs an https:\/\/ OPENSEARCH_URL/,
  )
  t.throws(
    () => os({ OPENSEARCH_URL: 'http://os:9200', OPENSEARCH_USERNAME: 'search', OPENSEARCH_PASSWORD: 'pw' }),
    /must be https:\/\/ when a password is sent/,
  )
  const ok = os({ OPENSEARCH_URL: 'https://os:9200', OPENSEARCH_USERNAME: 'search', OPENSEARCH_PASSWORD_FILE: '/secret/pw' })
  t.match(ok, { OPENSEARCH_INDEX_PREFIX: 'catalog', OPENSEARCH_SHARDS: 1, OPENSEARCH_REPLICAS: 1 })
  t.throws(() => os({ OPENSEARCH_URL: 'https://os:9200', OPENSEARCH_INDEX_PREFIX: 'Catalog!' }), /OPENSEARCH_INDEX_PREFIX/)
})

const gauge = async (metrics: Metrics, name: string) => (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value
const counted = async (metrics: Metrics, name: string) =>
  Object.fromEntries(
    ((await metrics.registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => [
      Object.values(v.labels).join(','),
      v.value,
    ]),
  )

/** A validated query, as the Search RPC hands it to an engine. */
const query = checkRequest

const bounds = { statementTimeoutMs: 2_000, countCap: 10_000, patternScanMaxItems: 50_000 }

t.test('a cluster away: not ready, saying why, searches UNAVAILABLE, batches retried rather than set aside', async (t) => {
  const metrics = createMetrics({ service: 'search', defaultMetrics: false })
  const url = `http://127.0.0.1:${await freePort()}`
  const engine = createOpenSearchEngine(
    { ...bounds, connection: { url }, indexPrefix: 'away', shards: 1, replicas: 0 },
    { log: silentLogger(), metrics },
  )
  t.teardown(() => engine.close())
  await t.rejects(
    engine.ready(),
    /opensearch at 127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    'the reason names the cluster and the failure',
  )
  t.equal(await gauge(metrics, 'search_opensearch_up'), 0)
  const searched = await engine.search('acme', query({ q: 'lamp' })).catch((e: unknown) => e)
  t.ok(isUnavailable(searched), 'a search meets a connection error: UNAVAILABLE to the caller')
  const applied = await engine.apply({ upserts: [], republished: new Set(), tombstones: [] }).catch((e: unknown) => e)
  t.ok(isUnavailable(applied), 'the batch consumer retries it for as long as it lasts')
})

const item = (tenant: string, spec: Partial<ItemDoc> = {}): ItemDoc => ({
  id: randomUUID(),
  tenant,
  version: '1',
  source: 's',
  external_id: randomUUID(),
  title: 'Lamp',
  description: '',
  tags: [],
  attributes: {},
  price_amount_minor: null,
  price_currency: null,
  published_at: null,
  ...spec,
})

/** An engine on its own index, ready; the index and its template go when the test ends. */
async function engineOn(
  test: { teardown(fn: () => unknown): void },
  indexPrefix: string,
  metrics = createMetrics({ service: 'search', defaultMetrics: false }),
) {
  const url = OPENSEARCH ?? ''
  const engine = createOpenSearchEngine(
    { ...bounds, connection: { url }, indexPrefix, shards: 1, replicas: 0, refresh: true },
    { log: silentLogger(), metrics },
  )
  const client = createOpenSearchClient({ url })
  const names = indexNames(indexPrefix)
  test.teardown(async () => {
    await engine.close()
    await client.call('DELETE', `/${names.alias}-*`)
    await client.call('DELETE', `/_index_template/${names.template}`)
    client.close()
  })
  await engine.ready()
  return { engine, client, names }
}

t.test('the index, its writes and their metrics', { skip }, async (t) => {
  const metrics = createMetrics({ service: 'search', defaultMetrics: false })
  const { engine, client, names } = await engineOn(t, `test-${randomBytes(6).toString('hex')}`, metrics)
  t.equal(await gauge(metrics, 'search_opensearch_up'), 1, 'ready')

  const mappings = await client.ok<Record<string, { mappings: { dynamic: string; properties: Record<string, never> } }>>(
    'GET',
    `/${names.alias}/_mapping`,
  )
  const [mapping] = Object.values(mappings)
  t.equal(mapping?.mappings.dynamic, 'strict', 'no field the template does not name')
  t.match(mapping?.mappings.properties, {
    title: {
      type: 'text',
      analyzer: 'folded',
      fields: { pattern: { type: 'wildcard', doc_values: false }, contains: { type: 'wildcard', normalizer: 'lowercase' } },
    },
    attribute_paths: { type: 'keyword' },
    published_at: { type: 'date' },
  })

  const a = item('acme', { title: 'Lamp one' })
  const b = item('acme', { title: 'Lamp two' })
  t.same(await engine.apply({ upserts: [a, b], republished: new Set(), tombstones: [] }), [])
  await engine.apply({ upserts: [a], republished: new Set(), tombstones: [] })
  t.same(await counted(metrics, 'search_opensearch_bulk_requests_total'), { ok: 2 })
  t.same(
    await counted(metrics, 'search_opensearch_bulk_documents_total'),
    { applied: 2, skipped: 1, failed: 0 },
    'a repeated event is skipped by its version',
  )

  // A price past int64: what the catalog would never send, and the cluster cannot store.
  const bad = item('acme', { title: 'Lamp broken', price_amount_minor: '99999999999999999999', price_currency: 'EUR' })
  const c = item('acme', { title: 'Lamp three' })
  const err = await engine.apply({ upserts: [bad, c], republished: new Set(), tombstones: [] }).catch((e: unknown) => e)
  t.equal((err as { code?: string }).code, 'SRCH_ERR_ENGINE_REFUSED', 'refused the same way on every attempt: the DLQ takes it')
  t.match(String(err), /opensearch refused 1 of 2 documents: 400 mapper_parsing_exception/)
  t.match(await counted(metrics, 'search_opensearch_bulk_requests_total'), { ok: 2, failed: 1 })
  const found = await engine.search('acme', query({ q: 'lamp', limit: 10 }))
  t.same(found.hits?.map((h) => h.title).sort(), ['Lamp one', 'Lamp three', 'Lamp two'], 'the rest of the batch is written')

  // Anchored patterns: narrowed by the start of each field, matched against the whole value.
  const long = `Brass ${'x'.repeat(120)} lamp`
  await engine.apply({
    upserts: [
      item('acme', { title: long }),
      item('acme', { title: 'Desk light', description: 'Brass lamp, 1950s' }),
      // Too long to be a term: checked the wildcard way.
      item('acme', { title: 'Floor light', description: `Brass lamp ${'é'.repeat(EXACT_MAX)}` }),
      item('acme', { title: 'Wall light', description: `Brass lamp ${'é'.repeat(EXACT_MAX)}!` }),
      item('acme', { title: 'Old Brass lamp' }),
      item('acme', { title: 'brass lamp' }),
      item('other', { title: 'Brass lamp' }),
    ],
    republished: new Set(),
    tombstones: [],
  })
  const titles = async (pattern: string) =>
    (await engine.search('acme', query({ pattern, limit: 10 }))).hits?.map((h) => h.title).sort()
  t.same(await titles('^Brass x+ lamp$'), [long], 'a title past the 100 indexed characters, matched whole')
  t.same(
    await titles('^Brass lamp'),
    ['Desk light', 'Floor light', 'Wall light'],
    'the description’s start, short or long; case-sensitive; one tenant',
  )
  t.same(await titles('^Brass lamp é+$'), ['Floor light'], 'a long description matched whole')
  const stored = await client.ok<{ _source: Record<string, unknown> }>('GET', `/${names.alias}/_doc/${a.id}`)
  t.notOk('title_exact' in stored._source || 'description_exact' in stored._source, 'copied, not stored twice in _source')
  t.same(
    await titles('^(Brass|Old) '),
    [long, 'Desk light', 'Floor light', 'Old Brass lamp', 'Wall light'],
    'a group first: no prefix, every value checked',
  )
})

t.test('an anchored pattern is a regexp on the whole title’s term, and on descriptions that begin with its prefix', async (t) => {
  const body = JSON.stringify(
    searchBody('acme', query({ pattern: '^Brass lamp' }), { countCap: 10_000, marks: snippetMarks(), grams: true }),
  )
  t.match(body, /"regexp":\{"title_exact":\{"value":"Brass lamp\.\*"/)
  t.match(body, /"regexp":\{"description_exact":\{"value":"Brass lamp\.\*"/)
  t.match(body, /"prefix":\{"description_start":"Brass lamp"\}/)
  const unanchored = JSON.stringify(
    searchBody('acme', query({ pattern: 'Brass lamp' }), { countCap: 10_000, marks: snippetMarks(), grams: true }),
  )
  t.notMatch(unanchored, /_start|_exact/, 'nothing to narrow by without an anchor')
})

t.test("a reply that is the cluster's or its operator's to fix is waited out, never a document's refusal", async (t) => {
  for (const status of [401, 403, 429, 500, 502, 503])
    t.ok(replyError('POST /_bulk', { status, body: {} }) instanceof EngineUnavailableError, `${status}: waited out`)
  for (const status of [400, 404, 409])
    t.notOk(replyError('POST /_bulk', { status, body: {} }) instanceof EngineUnavailableError, `${status}: the request's`)
})

t.test(
  'an index of an earlier release gains the fields added since, and then answers attribute ranges and anchored patterns',
  { skip },
  async (t) => {
    const indexPrefix = `test-${randomBytes(6).toString('hex')}`
    const url = OPENSEARCH ?? ''
    const client = createOpenSearchClient({ url })
    const names = indexNames(indexPrefix)
    // The first generation as an earlier release made it: without the fields added since.
    const { settings, mappings: current } = indexTemplate(names, { shards: 1, replicas: 0 }).template
    const {
      attribute_values: _values,
      attribute_numbers: _numbers,
      title_exact: _title,
      description_exact: _exact,
      description_start: _description,
      ...earlier
    } = current.properties
    // Nor the trigram analyzer and the `grams` subfields.
    const { tokenizer: _tokenizer, analyzer } = settings.analysis
    const { grams: _grams, ...analyzers } = analyzer
    const before = ({ copy_to: _copy, fields: { grams: _, ...fields }, ...rest }: typeof earlier.title) => ({ ...rest, fields })
    await client.ok('PUT', `/${names.firstIndex}`, {
      settings: { ...settings, analysis: { ...settings.analysis, tokenizer: undefined, analyzer: analyzers } },
      mappings: {
        dynamic: 'strict',
        properties: { ...earlier, title: before(earlier.title), description: before(earlier.description) },
      },
      aliases: { [names.alias]: { is_write_index: true } },
    })
    // A document as the earlier release wrote it, under its mappings: no whole-value terms, no starts.
    const old = item('acme', { title: 'Brass lamp 1998' })
    await client.ok('PUT', `/${names.alias}/_doc/${old.id}`, { ...old, deleted: false }, { query: { refresh: 'true' } })
    t.teardown(() => client.close())
    const { engine } = await engineOn(t, indexPrefix)
    const mappings = await client.ok<Record<string, { mappings: { properties: Record<string, unknown> } }>>(
      'GET',
      `/${names.alias}/_mapping`,
    )
    t.match(Object.values(mappings)[0]?.mappings.properties, {
      attribute_values: { type: 'keyword' },
      attribute_numbers: { type: 'nested' },
      title_exact: { type: 'keyword' },
      description_exact: { type: 'keyword', ignore_above: EXACT_MAX },
      description_start: { type: 'keyword' },
      title: { copy_to: ['title_exact'] },
      description: { copy_to: ['description_exact'] },
    })
    await engine.apply({
      upserts: [item('acme', { title: 'Lamp 2012', attributes: { year: 2012 } })],
      republished: new Set(),
      tombstones: [],
    })
    const found = await engine.search('acme', query({ attribute_ranges: [{ path: 'year', min: 2010 }] }))
    t.same(
      found.hits?.map((h) => h.title),
      ['Lamp 2012'],
    )
    await engine.apply({
      upserts: [item('acme', { title: 'Brass lamp 2001' }), item('acme', { title: 'Old brass lamp 2002' })],
      republished: new Set(),
      tombstones: [],
    })
    const anchored = await engine.search('acme', query({ pattern: '^Brass lamp [0-9]+$', limit: 10 }))
    t.same(
      anchored.hits?.map((h) => h.title).sort(),
      ['Brass lamp 1998', 'Brass lamp 2001'],
      'found by its start when written now, the slower way when written before',
    )
    const mapped = await client.ok<Record<string, { mappings: Record<string, unknown> }>>(
      'GET',
      `/${names.alias}/_mapping/field/title.grams`,
    )
    t.same(Object.values(mapped)[0]?.mappings, {}, 'no grams: an open index cannot gain their analyzer')
    t.same(
      (await engine.search('acme', query({ contains: 'SS LAMP ', limit: 10 }))).hits?.map((h) => h.title).sort(),
      ['Brass lamp 1998', 'Brass lamp 2001', 'Old brass lamp 2002'],
      'substrings found by the wildcard fields, written before or now',
    )
  },
)

t.test('a start on an index of this release keeps its grams, and substrings are read from them', { skip }, async (t) => {
  const indexPrefix = `test-${randomBytes(6).toString('hex')}`
  const first = await engineOn(t, indexPrefix)
  await first.engine.apply({ upserts: [item('acme', { title: 'Brass lamp 1998' })], republished: new Set(), tombstones: [] })
  // A second replica, or the next release: it puts the mappings of the fields changed since the first generation.
  const { engine, client, names } = await engineOn(t, indexPrefix)
  const mapped = await client.ok<Record<string, { mappings: Record<string, unknown> }>>(
    'GET',
    `/${names.alias}/_mapping/field/title.grams,description.grams`,
  )
  t.same(Object.keys(Object.values(mapped)[0]?.mappings ?? {}).sort(), ['description.grams', 'title.grams'])
  t.same(
    (await engine.search('acme', query({ contains: 'ASS LAM' }))).hits?.map((h) => h.title),
    ['Brass lamp 1998'],
  )
  const body = JSON.stringify(
    searchBody('acme', query({ contains: 'ass' }), { countCap: 10_000, marks: snippetMarks(), grams: true }),
  )
  t.match(body, /"match_phrase":\{"title\.grams":\{"query":"ass"\}\}/, 'a phrase of trigrams')
  t.notMatch(body, /wildcard/)
  const short = JSON.stringify(
    searchBody('acme', query({ contains: 'as' }), { countCap: 10_000, marks: snippetMarks(), grams: true }),
  )
  t.match(short, /"wildcard":\{"title\.contains":\{"value":"\*as\*"\}\}/, 'too short for a trigram: the wildcard field')
})

t.test("the tags of a page that holds every match are counted from it, in the cluster's order", async (t) => {
  const hit = (tags: string[]) => ({ _id: randomUUID(), _score: null, _source: { id: randomUUID(), tags } })
  const page = (relation: 'eq' | 'gte', hits: ReturnType<typeof hit>[]): SearchReply => ({
    hits: { total: { value: hits.length, relation }, hits },
  })
  const sent: unknown[] = []
  const send = async (body: Record<string, unknown>) => {
    sent.push(body)
    return { body: { aggregations: { sample: { tags: { buckets: [] } } } } }
  }
  // Equal counts in the order of the keys' UTF-8 bytes, as a terms aggregation gives them: U+FF01
  // before U+1F600, where UTF-16 code units would put the emoji first. A tag twice in one item counts once.
  const whole = await facetsOf(
    page('eq', [hit(['b', 'a', 'a']), hit(['\u{1F600}']), hit(['\uFF01']), hit(['b'])]),
    'acme',
    query({}),
    send,
    { countCap: 10_000, grams: true },
  )
  t.same(
    whole?.sample?.tags?.buckets.map((b) => [b.key, b.doc_count]),
    [
      ['b', 2],
      ['a', 1],
      ['\uFF01', 1],
      ['\u{1F600}', 1],
    ],
  )
  t.equal(sent.length, 0, 'no second search')
  await facetsOf(page('gte', [hit(['a'])]), 'acme', query({}), send, { countCap: 10_000, grams: true })
  await facetsOf(page('eq', [hit(['a'])]), 'acme', query({ price_histogram: '100', currency: 'EUR' }), send, {
    countCap: 10_000,
    grams: true,
  })
  t.equal(sent.length, 2, 'a search of the facets when the page does not hold every match, or more than tags is asked')
})
