import type { JsonObject, search } from '@catalog/proto'
import type { SearchQuery } from './query/query-rules.ts'

/*
 * The seam between the API and the store that answers it. Requests are validated once, by
 * query-rules.ts, into a SearchQuery: every engine sees the same query and refuses the same
 * requests. Events are decoded once, by the indexer, into ItemChanges: every engine applies the
 * same changes by the same rules (newer versions win, republished events apply at the version
 * held, deletes leave tombstones, an item never changes tenant).
 */

export const ENGINES = ['postgres', 'opensearch'] as const
export type EngineName = (typeof ENGINES)[number]

/** What a hit shows of an item, on either engine (its snippet and score aside). */
export const HIT_FIELDS = [
  'id',
  'source',
  'external_id',
  'title',
  'tags',
  'attributes',
  'price_amount_minor',
  'price_currency',
  'published_at',
  'version',
] as const

/** An item as catalog.item.v1 carries it, flattened for storage. */
export interface ItemDoc {
  id: string
  tenant: string
  version: string
  source: string
  external_id: string
  title: string
  description: string
  tags: string[]
  attributes: JsonObject
  price_amount_minor: string | null
  price_currency: string | null
  /** An ISO 8601 instant. */
  published_at: string | null
}

export interface Tombstone {
  id: string
  tenant: string
  version: string
}

/** One batch of events, at most one change per item (the newest of the batch). */
export interface ItemChanges {
  upserts: ItemDoc[]
  /** Ids of upserts the catalog republished: they apply at the version already held too. */
  republished: ReadonlySet<string>
  tombstones: Tombstone[]
}

/** A change refused because the item is indexed under another tenant than the event names. */
export interface RefusedChange {
  id: string
  claimed: string
  indexed: string
}

export interface SearchEngine {
  readonly name: EngineName
  /** Answers a validated query within one tenant. */
  search(tenant: string, query: SearchQuery): Promise<search.SearchResponse>
  /** Applies a batch: all of it, or (failing) none that a retry would not apply the same way. */
  apply(changes: ItemChanges): Promise<RefusedChange[]>
  /** Resolves when the engine can answer; rejects with the reason when it cannot. */
  ready(): Promise<void>
  close(): Promise<void>
}
