import type { ItemChanges, ItemDoc, RefusedChange, Tombstone } from '../engine.ts'
import { EngineUnavailableError, engineRefused } from '../errors.ts'
import { startOf } from '../query/pattern-plan.ts'
import { attributeNumbers, attributePaths, attributeValues } from './attribute-paths.ts'
import type { OpenSearchClient } from './opensearch-client.ts'
import { notTheDocument } from './opensearch-client.ts'

/*
 * The OpenSearch engine's writes: one _bulk request per batch, every document written at the
 * item's version with external versioning, so the cluster itself keeps an older event from
 * overwriting a newer one (409, skipped) across batches, replays and replicas. A republished event
 * is written with `external_gte` and so applies at the version held too. A deleted item stays as a
 * tombstone document (deleted: true) at the delete's version: a real delete would forget its
 * version after index.gc_deletes, and a late older event could then revive the item.
 *
 * An item never changes tenant: the batch's ids are first read back in real time (_mget, which
 * sees writes not yet refreshed) and an event naming another tenant than the stored document's is
 * refused, as the PostgreSQL engine refuses it. Events of one item come in order through one
 * partition, so nothing writes the same id between that read and the bulk request.
 */

export interface BulkOutcome {
  /** Documents written (created or replaced). */
  applied: number
  /** Events older than (or as old as) what is indexed: nothing to do. */
  skipped: number
  /** Documents the cluster failed to write. */
  failed: number
}

interface MgetReply {
  docs: { _id: string; found?: boolean; _source?: { tenant?: string } }[]
}

interface BulkItem {
  status: number
  error?: { type?: string; reason?: string }
}

interface BulkReply {
  errors: boolean
  items: { index?: BulkItem }[]
}

/** The document of an item: the item as the event carries it, and the terms of its attributes. */
const documentOf = (item: ItemDoc) => ({
  ...item,
  deleted: false,
  attribute_paths: attributePaths(item.attributes),
  attribute_values: attributeValues(item.attributes),
  attribute_numbers: attributeNumbers(item.attributes),
  description_start: startOf(item.description),
})

const tombstoneOf = (t: Tombstone) => ({ id: t.id, tenant: t.tenant, version: t.version, deleted: true })

/** Replies that a retry of the same request can change: the cluster was busy, not the document wrong. */

export interface AppliedBatch {
  refused: RefusedChange[]
  /** What the bulk request did; none when the batch needed none. */
  outcome?: BulkOutcome
  /** Why some documents were not written: the batch has to be applied again. */
  failure?: Error
}

export interface ApplyOptions {
  /** `true` makes the documents searchable before the call returns (tests); production leaves it to refresh_interval. */
  refresh?: boolean
}

export async function applyChanges(
  client: OpenSearchClient,
  alias: string,
  changes: ItemChanges,
  options: ApplyOptions = {},
): Promise<AppliedBatch> {
  const all = [...changes.upserts, ...changes.tombstones]
  if (all.length === 0) return { refused: [] }
  const { docs } = await client.ok<MgetReply>(
    'POST',
    `/${alias}/_mget`,
    { ids: all.map((c) => c.id) },
    { query: { _source_includes: 'tenant' } },
  )
  const indexedTenant = new Map(docs.filter((d) => d.found).map((d) => [d._id, d._source?.tenant ?? '']))
  const refused: RefusedChange[] = []
  const accepted = <T extends { id: string; tenant: string }>(c: T) => {
    const indexed = indexedTenant.get(c.id)
    if (indexed === undefined || indexed === c.tenant) return true
    refused.push({ id: c.id, claimed: c.tenant, indexed })
    return false
  }
  const lines: object[] = []
  for (const item of changes.upserts.filter(accepted)) {
    const versionType = changes.republished.has(item.id) ? 'external_gte' : 'external'
    lines.push({ index: { _index: alias, _id: item.id, version: Number(item.version), version_type: versionType } })
    lines.push(documentOf(item))
  }
  for (const tomb of changes.tombstones.filter(accepted)) {
    lines.push({ index: { _index: alias, _id: tomb.id, version: Number(tomb.version), version_type: 'external' } })
    lines.push(tombstoneOf(tomb))
  }
  if (lines.length === 0) return { refused }
  // require_alias: a bulk request must never create an index of its own with guessed mappings.
  const reply = await client.ok<BulkReply>('POST', '/_bulk', lines, {
    query: { require_alias: true, refresh: options.refresh ? 'true' : undefined },
    timeoutMs: 60_000,
  })
  const outcome: BulkOutcome = { applied: 0, skipped: 0, failed: 0 }
  const failures: BulkItem[] = []
  for (const { index: item } of reply.items) {
    if (!item) continue
    if (item.status === 200 || item.status === 201) outcome.applied++
    else if (item.status === 409) outcome.skipped++
    else failures.push(item)
  }
  outcome.failed = failures.length
  const [first] = failures
  if (!first) return { refused, outcome }
  // Documents that were written stay written: a retry skips them by their version, so the batch
  // converges however many times it is applied.
  const message = `opensearch refused ${failures.length} of ${reply.items.length} documents: ${first.status} ${first.error?.type ?? ''}: ${first.error?.reason ?? ''}`
  const busy = failures.some((f) => notTheDocument(f.status))
  return { refused, outcome, failure: busy ? new EngineUnavailableError(message) : engineRefused(message) }
}
