// The test OpenSearch node (scripts/lib/opensearch.sh) does what the search engine will ask of it:
// a custom analyzer that folds accents, a wildcard field searched by regular expression, and bulk
// writes with external versions that refuse an older version. Plain fetch, no client library.
import { randomBytes } from 'node:crypto'
import t from 'tap'

const OPENSEARCH = process.env.TEST_OPENSEARCH_URL
// The test command always starts the node; only a run outside it (no test servers) may skip.
const UNSET = 'TEST_OPENSEARCH_URL is not set'
if (!OPENSEARCH && process.env.CI) throw new Error(`${UNSET}: scripts/test.sh starts OpenSearch and sets it`)
const skip = OPENSEARCH ? false : `${UNSET}: start the test servers with bash scripts/test.sh --servers-only`

/** The parts of the node's replies that the test reads. */
type Body = {
  version?: { number: string }
  errors?: boolean
  items?: { index: { status: number; error?: { type: string } } }[]
  hits?: { hits: { _id: string }[] }
  _version?: number
  _source?: Record<string, unknown>
}

/** One request to the node: a JSON body, or NDJSON lines for _bulk; the reply's status and JSON. */
async function call(method: string, path: string, body?: object | object[]): Promise<{ status: number; body: Body }> {
  const ndjson = Array.isArray(body)
  const res = await fetch(`${OPENSEARCH}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    body:
      body === undefined ? undefined : ndjson ? `${body.map((line) => JSON.stringify(line)).join('\n')}\n` : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  })
  return { status: res.status, body: (await res.json()) as Body }
}

/** The ids of the hits of a search on `index`, sorted. */
async function ids(index: string, query: object): Promise<string[]> {
  const { status, body } = await call('POST', `/${index}/_search`, { query, size: 100 })
  if (status !== 200) throw new Error(`search answered ${status}: ${JSON.stringify(body)}`)
  return (body.hits?.hits ?? []).map((hit) => hit._id).sort()
}

t.test('the test OpenSearch node', { skip }, async (t) => {
  const root = await call('GET', '/')
  t.equal(root.status, 200)
  t.match(root.body.version?.number, /^2\.19\./, 'OpenSearch 2.19')

  const index = `smoke-${randomBytes(4).toString('hex')}`
  t.teardown(() => call('DELETE', `/${index}`))
  const created = await call('PUT', `/${index}`, {
    settings: {
      number_of_shards: 1,
      number_of_replicas: 0,
      analysis: {
        analyzer: { folded: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] } },
      },
    },
    mappings: {
      dynamic: 'strict',
      properties: {
        name: { type: 'text', analyzer: 'folded' },
        sku: { type: 'wildcard' },
      },
    },
  })
  t.equal(created.status, 200, 'the index is created')

  const write = (id: string, version: number, doc: object) => [
    { index: { _index: index, _id: id, version, version_type: 'external' } },
    doc,
  ]
  const bulk = await call('POST', '/_bulk?refresh=wait_for', [
    ...write('1', 5, { name: 'Café crème', sku: 'AB-123-x' }),
    ...write('2', 5, { name: 'Crème brûlée', sku: 'CD-456-y' }),
    ...write('3', 5, { name: 'CAFÉ NOIR', sku: 'xx-AB-9' }),
  ])
  t.equal(bulk.status, 200)
  t.same(
    bulk.body.items?.map((item) => item.index.status),
    [201, 201, 201],
    'every document is created at its external version',
  )

  t.test('an older or equal external version is refused with 409, a newer one applied', async (t) => {
    const again = await call('POST', '/_bulk?refresh=wait_for', [
      ...write('1', 4, { name: 'older', sku: 'old' }),
      ...write('2', 5, { name: 'same', sku: 'same' }),
      ...write('3', 6, { name: 'Café noir décaféiné', sku: 'xx-AB-9' }),
    ])
    t.equal(again.status, 200)
    t.equal(again.body.errors, true)
    const items = (again.body.items ?? []).map((item) => ({ status: item.index.status, error: item.index.error?.type }))
    t.same(items, [
      { status: 409, error: 'version_conflict_engine_exception' },
      { status: 409, error: 'version_conflict_engine_exception' },
      { status: 200, error: undefined },
    ])
    const single = await call('PUT', `/${index}/_doc/1?version=3&version_type=external`, { name: 'older', sku: 'old' })
    t.equal(single.status, 409, 'a single write too')
    const kept = await call('GET', `/${index}/_doc/1`)
    t.match(kept.body, { _version: 5, _source: { name: 'Café crème' } }, 'the newer document stays')
    const applied = await call('GET', `/${index}/_doc/3`)
    t.match(applied.body, { _version: 6, _source: { name: 'Café noir décaféiné' } })
  })

  t.test('match finds café for cafe: lowercase and asciifolding', async (t) => {
    t.same(await ids(index, { match: { name: 'cafe' } }), ['1', '3'])
    t.same(await ids(index, { match: { name: 'CREME' } }), ['1', '2'])
    t.same(await ids(index, { match: { name: 'brulee' } }), ['2'])
  })

  t.test('regexp on the wildcard field matches whole values: a substring needs .* around it', async (t) => {
    t.same(await ids(index, { regexp: { sku: { value: '.*AB-[0-9]+.*' } } }), ['1', '3'])
    t.same(await ids(index, { regexp: { sku: { value: 'AB-[0-9]+' } } }), [], 'unwrapped, nothing matches')
    t.same(await ids(index, { regexp: { sku: { value: 'AB-1.*' } } }), ['1'], 'anchored at the start')
    t.same(await ids(index, { regexp: { sku: { value: '.*ab-.*' } } }), [], 'case-sensitive')
    t.same(await ids(index, { regexp: { sku: { value: '.*ab-.*', case_insensitive: true } } }), ['1', '3'])
  })
})
