import type { Logger, Metrics } from '@catalog/kit'
import { Counter, Gauge, Histogram } from 'prom-client'
import type { SearchEngine } from '../engine.ts'
import type { ApplyOptions } from './apply-changes.ts'
import { applyChanges } from './apply-changes.ts'
import type { IndexFeatures, IndexSettings } from './index-template.ts'
import { ensureIndex, indexNames } from './index-template.ts'
import type { OpenSearchConnection, OpenSearchErrorBody } from './opensearch-client.ts'
import { createOpenSearchClient, describe } from './opensearch-client.ts'
import type { OpenSearchSearchOptions } from './opensearch-search.ts'
import { runOpenSearch } from './opensearch-search.ts'

export interface OpenSearchEngineOptions extends OpenSearchSearchOptions, IndexSettings, ApplyOptions {
  connection: OpenSearchConnection
  indexPrefix: string
}

/**
 * The engine for scale: an OpenSearch cluster holds the index (see index-template.ts for its
 * layout). The index is made ready in the background at start and on every readiness check until
 * it is: a cluster away at start leaves the service running and not ready, saying why.
 */
export function createOpenSearchEngine(options: OpenSearchEngineOptions, deps: { log: Logger; metrics: Metrics }): SearchEngine {
  const client = createOpenSearchClient(options.connection)
  const names = indexNames(options.indexPrefix)
  const { log, metrics } = deps
  const up = new Gauge({
    name: 'search_opensearch_up',
    help: 'Whether the last readiness check reached the OpenSearch cluster and found the index usable (1) or not (0).',
    registers: [metrics.registry],
  })
  const bulkRequests = new Counter({
    name: 'search_opensearch_bulk_requests_total',
    help: 'Batches the indexer sent to OpenSearch, by outcome: ok, or failed (the tenant check, the bulk request, or any document in it).',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  })
  const bulkDocuments = new Counter({
    name: 'search_opensearch_bulk_documents_total',
    help: 'Documents of the bulk requests, by result: applied, skipped (an older or equal version) or failed.',
    labelNames: ['result'],
    registers: [metrics.registry],
  })
  const bulkSeconds = new Histogram({
    name: 'search_opensearch_bulk_seconds',
    help: 'Time of one batch against OpenSearch: the tenant check (_mget) and the bulk request.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics.registry],
  })

  let index: Promise<IndexFeatures> | undefined
  /** The template and index, put once per process; tried again after a failure. */
  const indexReady = () => {
    index ??= ensureIndex(client, names, options).catch((err: unknown) => {
      index = undefined
      throw err
    })
    return index
  }
  let healthy: boolean | undefined
  const report = (ok: boolean, reason?: string) => {
    up.set(ok ? 1 : 0)
    if (ok && healthy !== true) log.info({ index: names.alias }, 'opensearch ready')
    if (!ok && healthy !== false) log.warn({ index: names.alias, reason }, 'opensearch not ready')
    healthy = ok
  }

  const ready = async () => {
    try {
      await indexReady()
      const health = await client.call<OpenSearchErrorBody & { status?: string }>(
        'GET',
        `/_cluster/health/${names.alias}`,
        undefined,
        {
          query: { timeout: '1s' },
          timeoutMs: 1_500,
        },
      )
      if (health.status !== 200) throw new Error(`cluster health answered ${health.status}: ${describe(health.body)}`)
      // Yellow (a replica unassigned) still answers every query; red (a primary missing) does not.
      if (health.body.status === 'red') throw new Error(`the index ${names.alias} is red: a primary shard is unassigned`)
      report(true)
    } catch (err) {
      const reason = `opensearch at ${new URL(options.connection.url).host}: ${err instanceof Error ? err.message : String(err)}`
      report(false, reason)
      throw new Error(reason)
    }
  }
  ready().catch(() => undefined)

  return {
    name: 'opensearch',
    // The index's features decide how a filter is written: known once it is ready (a cluster away
    // fails here as it would at the search).
    search: async (tenant, query) => runOpenSearch(client, names.alias, tenant, query, { ...options, ...(await indexReady()) }),
    async apply(changes) {
      await indexReady()
      const end = bulkSeconds.startTimer()
      let counted = false
      try {
        const { refused, outcome, failure } = await applyChanges(client, names.alias, changes, options)
        if (outcome) {
          counted = true
          bulkRequests.inc({ outcome: failure ? 'failed' : 'ok' })
          bulkDocuments.inc({ result: 'applied' }, outcome.applied)
          bulkDocuments.inc({ result: 'skipped' }, outcome.skipped)
          bulkDocuments.inc({ result: 'failed' }, outcome.failed)
        }
        if (failure) throw failure
        return refused
      } catch (err) {
        // The tenant check or the request itself failed: the batch did not reach its documents.
        if (!counted) bulkRequests.inc({ outcome: 'failed' })
        throw err
      } finally {
        end()
      }
    },
    ready,
    async close() {
      client.close()
    },
  }
}
