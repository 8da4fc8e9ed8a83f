import type { KafkaMessage, Metrics, Pool, UnaryClient } from '@catalog/kit'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { testCerts } from '@catalog/kit/testing'
import type { search } from '@catalog/proto'
import { loadSearch } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import type { SearchEngine } from '../../src/engine.ts'
import type { TestSearch, TestSearchOptions } from '../../src/testing.ts'
import { startTestSearch } from '../../src/testing.ts'

export { deleted, type ItemSpec, upserted } from '../../src/testing.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface RunningSearch {
  pool: Pool
  engine: SearchEngine
  client: UnaryClient<search.SearchServiceDefinition>
  as(tenant: string): { metadata: Metadata }
  index(...messages: KafkaMessage[]): Promise<void>
  snapshot: TestSearch['snapshot']
  metrics: Metrics
}

export async function startSearch(t: Tap, options: TestSearchOptions = {}): Promise<RunningSearch> {
  const srch = await startTestSearch(t, options)
  const client = createUnaryClient(loadSearch().grpc.search.v1.SearchService.service, {
    address: srch.address,
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 10_000,
  })
  t.teardown(() => client.close())
  return {
    pool: srch.pool,
    engine: srch.engine,
    client,
    as: (tenant) => ({ metadata: writePrincipal(new Metadata(), { tenant, subject: 'u', scopes: ['search:read'] }) }),
    index: srch.index,
    snapshot: srch.snapshot,
    metrics: srch.metrics,
  }
}

export { startAtEnd } from '@catalog/kit/testing'

/** Every hit of a search, page after page by its cursor; past `maxPages` pages it fails (a cursor that never ends). */
export async function everyHit(
  run: (req: search.SearchRequest) => Promise<search.SearchResponse__Output>,
  req: search.SearchRequest,
  maxPages = 100,
): Promise<search.SearchResponse__Output['hits']> {
  const hits: search.SearchResponse__Output['hits'] = []
  let cursor = ''
  for (let page = 0; page < maxPages; page++) {
    const res = await run({ ...req, cursor })
    hits.push(...res.hits)
    cursor = res.next_cursor
    if (!cursor) return hits
  }
  throw new Error(`more than ${maxPages} pages`)
}

/** The variables a search process needs to load its config, for tests of the config's checks (nothing is reached). */
export const configEnv = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: 'postgres://search@db/search',
  KAFKA_BROKERS: 'kafka:9092',
  TLS_CA_FILE: 'ca.pem',
  TLS_CERT_FILE: 'tls.crt',
  TLS_KEY_FILE: 'tls.key',
  ...extra,
})
