import { codec } from './codec.ts'
import type { IngestApplied, IngestApplied__Output } from './gen/catalog/v1/IngestApplied.ts'
import type { ItemDeleted, ItemDeleted__Output } from './gen/catalog/v1/ItemDeleted.ts'
import type { ItemUpserted, ItemUpserted__Output } from './gen/catalog/v1/ItemUpserted.ts'
import type { PriceChanged, PriceChanged__Output } from './gen/catalog/v1/PriceChanged.ts'
import type { JobChanged, JobChanged__Output } from './gen/ingestion/v1/JobChanged.ts'
import type { RecordRejected, RecordRejected__Output } from './gen/ingestion/v1/RecordRejected.ts'
import type { RecordSubmitted, RecordSubmitted__Output } from './gen/ingestion/v1/RecordSubmitted.ts'

/** Topics, CloudEvents types and payload codecs of the events the catalog publishes. */
export const TOPICS = {
  item: 'catalog.item.v1',
  price: 'catalog.price.v1',
  ingest: 'catalog.ingest.v1',
} as const

export const TYPES = {
  itemUpserted: 'item.upserted',
  itemDeleted: 'item.deleted',
  priceChanged: 'price.changed',
  ingestApplied: 'ingest.applied',
} as const

export const itemUpserted = codec<ItemUpserted, ItemUpserted__Output>('catalog.v1.ItemUpserted')
export const itemDeleted = codec<ItemDeleted, ItemDeleted__Output>('catalog.v1.ItemDeleted')
export const priceChanged = codec<PriceChanged, PriceChanged__Output>('catalog.v1.PriceChanged')
export const ingestApplied = codec<IngestApplied, IngestApplied__Output>('catalog.v1.IngestApplied')

/** Topics, CloudEvents types and payload codecs of ingestion: records for the catalog, rejects, jobs. */
export const INGESTION_TOPICS = {
  record: 'ingestion.record.v1',
  recordDlq: 'ingestion.record.dlq.v1',
  job: 'ingestion.job.v1',
} as const

export const INGESTION_TYPES = {
  recordSubmitted: 'record.submitted',
  recordRejected: 'record.rejected',
  jobStarted: 'job.started',
  jobProgressed: 'job.progressed',
  jobCompleted: 'job.completed',
  jobFailed: 'job.failed',
  jobCancelled: 'job.cancelled',
} as const

export const recordSubmitted = codec<RecordSubmitted, RecordSubmitted__Output>('ingestion.v1.RecordSubmitted')
export const recordRejected = codec<RecordRejected, RecordRejected__Output>('ingestion.v1.RecordRejected')
export const jobChanged = codec<JobChanged, JobChanged__Output>('ingestion.v1.JobChanged')
