// The OpenSearch side of the search bench (BENCH_ENGINE=opensearch): the generated items written
// into the engine's index by the search service's own code (its index template, its bulk apply of
// changes, its client), the service's env for that index, and the direct baseline: the body the
// engine builds for a query (opensearch-query.ts), sent straight to the cluster over HTTP.
import { randomBytes, randomUUID } from 'node:crypto'
import type { search } from '@catalog/proto'
import { applyChanges } from '@catalog/search-service/opensearch/apply-changes'
import { ensureIndex, indexNames } from '@catalog/search-service/opensearch/index-template'
import { createOpenSearchClient } from '@catalog/search-service/opensearch/opensearch-client'
import { searchBody } from '@catalog/search-service/opensearch/opensearch-query'
import { facetsOf } from '@catalog/search-service/opensearch/opensearch-search'
import { checkRequest } from '@catalog/search-service/query'
import type { GeneratedItem } from './search-data.ts'

/** The bench node scripts/bench/run.sh starts. */
const OPENSEARCH_URL = process.env.BENCH_OPENSEARCH_URL ?? 'http://127.0.0.1:59400'
/** One node: no replica could be assigned. */
const SETTINGS = { shards: Number(process.env.BENCH_OPENSEARCH_SHARDS ?? 1), replicas: 0 }
/** SEARCH_EXACT_COUNT_UP_TO's default, given to the service too, so both count the first page as far. */
const COUNT_CAP = 10_000

/**
 * The highlighter's sentinels: random for each search in the engine (query/snippet.ts, not among
 * the package's exports); any of the same length costs the cluster the same.
 */
const marks = () => {
  const nonce = randomBytes(16).toString('hex')
  return { start: `MARKSTART${nonce}`, stop: `MARKSTOP${nonce}` }
}

/** `prefix` names the index: the ingestion bench keeps its baseline's apart from the service's. */
export async function openSearchBench(statementTimeoutMs: number, prefix = 'bench') {
  const client = createOpenSearchClient({ url: OPENSEARCH_URL })
  const names = indexNames(prefix)
  const { version } = await client.ok<{ version: { number: string } }>('GET', '/')
  return {
    about: `OpenSearch ${version.number}, ${SETTINGS.shards} shard${SETTINGS.shards === 1 ? '' : 's'}, heap ${process.env.BENCH_OPENSEARCH_HEAP ?? '?'}`,
    settings: SETTINGS,
    /** The search service's env for this index (beside its DATABASE_URL, which it migrates whatever the engine). */
    serviceEnv: {
      SEARCH_ENGINE: 'opensearch',
      OPENSEARCH_URL,
      OPENSEARCH_INDEX_PREFIX: prefix,
      OPENSEARCH_SHARDS: String(SETTINGS.shards),
      OPENSEARCH_REPLICAS: String(SETTINGS.replicas),
      SEARCH_EXACT_COUNT_UP_TO: String(COUNT_CAP),
    },

    /**
     * Writes items `0..n` in batches as the indexer applies a batch of events (the tenant check by
     * _mget, then one _bulk request), one batch at a time, then refreshes so all are searchable.
     */
    async load(n: number, batch: number, itemOf: (i: number) => { item: GeneratedItem; tenant: string }) {
      await ensureIndex(client, names, SETTINGS)
      for (let from = 0; from < n; from += batch) {
        const upserts = []
        for (let i = from; i < Math.min(n, from + batch); i++) {
          const { item, tenant } = itemOf(i)
          upserts.push({
            id: randomUUID(),
            tenant,
            version: '1',
            source: '',
            external_id: '',
            title: item.title,
            description: item.description,
            tags: item.tags,
            attributes: {},
            price_amount_minor: item.price ? String(item.price.amount_minor) : null,
            price_currency: item.price?.currency ?? null,
            published_at: item.publishedAt.toISOString(),
          })
        }
        const { refused, failure } = await applyChanges(client, names.alias, { upserts, republished: new Set(), tombstones: [] })
        if (failure) throw failure
        if (refused.length > 0) throw new Error(`${refused.length} items refused: fresh ids cannot belong to another tenant`)
        if (from % 100_000 === 0) process.stdout.write(`\rindexed ${from.toLocaleString()} of ${n.toLocaleString()}`)
      }
      await client.ok('POST', `/${names.alias}/_refresh`)
    },

    /** The documents of the index that a search sees now (those written since its last refresh are not yet). */
    async count() {
      const reply = await client.call<{ count?: number }>('GET', `/${names.alias}/_count`)
      // The service puts its index after it says it is ready: none yet is none searchable.
      if (reply.status === 404) return 0
      if (reply.status !== 200) throw new Error(`opensearch answered ${reply.status} to _count`)
      return reply.body.count ?? 0
    },

    /**
     * Empties the shard request cache, which keeps whole replies of searches without hits (the
     * facets' search): each pass of a kind's queries starts from none, so no pass is answered
     * from the replies of the pass before it.
     */
    async clearRequestCache() {
      await client.ok('POST', `/${names.alias}/_cache/clear`, undefined, { query: { request: true } })
    },

    /** Deletes the index, and so its alias (the ingestion bench's baseline, once measured). */
    async drop() {
      await client.ok('DELETE', `/${names.firstIndex}`)
    },

    /** The engine's searches for the request (the page, then the first page's facets), with the engine's bounds. */
    async direct(req: search.SearchRequest) {
      const query = checkRequest(req as Partial<search.SearchRequest__Output>)
      const send = async (body: Record<string, unknown>) => {
        const reply = await client.call<Parameters<typeof facetsOf>[0]>('POST', `/${names.alias}/_search`, body, {
          query: { cancel_after_time_interval: `${statementTimeoutMs}ms`, allow_partial_search_results: false },
          timeoutMs: statementTimeoutMs + 1_000,
        })
        // Refused or cancelled at the bound: counted as the gRPC side counts its 400s.
        if (reply.status !== 200 || reply.body.timed_out) throw new Error(`opensearch answered ${reply.status}`)
        return reply
      }
      const page = await send(searchBody('bench', query, { countCap: COUNT_CAP, marks: marks(), grams: true }))
      await facetsOf(page.body, 'bench', query, send, { countCap: COUNT_CAP, grams: true })
    },

    close: () => client.close(),
  }
}
