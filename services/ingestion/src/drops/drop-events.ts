import type { BatchOrigin, Kafka, KafkaMessage, Logger, Metrics, Producer } from '@catalog/kit'
import { startBatchConsumer } from '@catalog/kit'
import { events } from '@catalog/proto'
import { Counter } from 'prom-client'
import { codes } from '../errors.ts'
import { shapeOf } from '../formats/read-records.ts'
import { decodedPath } from '../sources/tenant-area.ts'
import type { DropSkip } from './drop-retries.ts'

/*
 * Event-driven drops: the object store announces each object written (an S3 event notification,
 * as MinIO and Ceph publish them to a Kafka topic natively, and AWS through a bridge), and the
 * drop folder's new file is a running job within seconds instead of at the next scan. The scan
 * stays as the safety net: an event lost (the store's queue full, the topic away) is a file the
 * next scan starts; a file both find is started once (startDrop is idempotent by URI and content).
 */

/** An object an event says was created: its bucket and key (decoded), and its ETag and size as the store told them. */
export interface CreatedObject {
  bucket: string
  key: string
  etag: string
  size: number
}

const MAX_EVENT_BYTES = 256 * 1024

/**
 * The objects an S3 event notification says were created, in the shapes the stores send: the S3
 * notification (`{"Records": [{"eventName": "s3:ObjectCreated:Put", "s3": {...}}]}`, MinIO adding
 * `EventName` and `Key` beside it, AWS and Ceph omitting the `s3:` prefix) and the EventBridge
 * event a bridge from AWS forwards (`{"detail-type": "Object Created", "detail": {...}}`). Keys
 * arrive URL-encoded (a space as `+`) and are decoded. Anything else (a removal, a test event,
 * bytes that are no JSON) is none; `undefined` says the message is no event at all.
 */
export function createdObjects(value: Buffer): CreatedObject[] | undefined {
  if (value.length > MAX_EVENT_BYTES) return undefined
  let event: unknown
  try {
    event = JSON.parse(value.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof event !== 'object' || event === null) return undefined
  const e = event as Record<string, unknown>
  if (Array.isArray(e.Records)) {
    const created: CreatedObject[] = []
    for (const record of e.Records as unknown[]) {
      const r = record as { eventName?: unknown; s3?: { bucket?: { name?: unknown }; object?: Record<string, unknown> } }
      if (typeof r?.eventName !== 'string' || !/^(s3:)?ObjectCreated:/.test(r.eventName)) continue
      const object = objectOf(r.s3?.bucket?.name, r.s3?.object?.key, r.s3?.object?.eTag, r.s3?.object?.size)
      if (object) created.push(object)
    }
    return created
  }
  if (e['detail-type'] === 'Object Created' && typeof e.detail === 'object' && e.detail !== null) {
    const d = e.detail as { bucket?: { name?: unknown }; object?: Record<string, unknown> }
    const object = objectOf(d.bucket?.name, d.object?.key, d.object?.etag, d.object?.size)
    return object ? [object] : []
  }
  // MinIO's test event on a new notification target, and any event that names no object created.
  return typeof e.EventName === 'string' || 'Event' in e || 'Service' in e ? [] : undefined
}

function objectOf(bucket: unknown, key: unknown, etag: unknown, size: unknown): CreatedObject | undefined {
  if (typeof bucket !== 'string' || typeof key !== 'string' || bucket === '' || key === '') return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(key.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
  return {
    bucket,
    key: decoded,
    etag: typeof etag === 'string' ? etag.replace(/"/g, '') : '',
    size: typeof size === 'number' ? size : 0,
  }
}

/** The drop folder an event's object must lie in: a bucket and a key prefix, decoded, from DROP_URI. */
export interface DropFolder {
  bucket: string
  prefix: string
}

/** DROP_URI as a folder events are matched against; undefined for a file:// folder (no events exist for one). */
export function dropFolderOf(uri: string): DropFolder | undefined {
  const url = URL.parse(uri)
  if (url?.protocol !== 's3:') return undefined
  const path = decodedPath(url)
  return path === undefined ? undefined : { bucket: url.hostname, prefix: path.replace(/^\//, '') }
}

/**
 * The URI a scan would list for the object (drops' URIs encode each key segment, so a file found
 * both ways is one file), or undefined when it is outside the folder or no input format (a
 * `_SUCCESS` marker, a folder placeholder).
 */
export function dropUriOf(object: CreatedObject, folder: DropFolder): string | undefined {
  if (object.bucket !== folder.bucket || !object.key.startsWith(folder.prefix)) return undefined
  if (object.key.endsWith('/') || !shapeOf(object.key)) return undefined
  return `s3://${object.bucket}/${object.key.split('/').map(encodeURIComponent).join('/')}`
}

/** What became of an object an event announced. */
export type DropEventOutcome = 'started' | DropSkip | 'elsewhere' | 'gone' | 'refused'

/**
 * Reads S3 event notifications from `topic` and starts a drop job for each new object in the drop
 * folder. One the store no longer has is skipped; the tenant at its limit of running jobs, or a
 * failure of the database or the store, retries the batch (the consumer commits nothing until its
 * batch is handled), so no event is lost to a passing outage or a busy tenant.
 */
export async function startDropEvents(
  kafka: Kafka,
  deps: {
    topic: string
    groupId: string
    folder: DropFolder
    start: (uri: string) => Promise<{ step: 'started' | DropSkip }>
    producer: Producer
    log: Logger
    metrics: Metrics
    sessionTimeoutMs?: number | undefined
  },
) {
  const { log } = deps
  const outcomes = new Counter({
    name: 'ingestion_drop_events_total',
    help: 'Objects S3 event notifications announced, by what became of them: started, running, completed... (a file already started), elsewhere (outside the drop folder), gone, refused, malformed (no event).',
    labelNames: ['outcome'],
    registers: [deps.metrics.registry],
  })
  // The alert's outcomes exist from the start: its first increase after a restart counts.
  for (const outcome of ['malformed', 'refused']) outcomes.inc({ outcome }, 0)
  const held = new Counter({
    name: 'ingestion_drop_events_held_total',
    help: 'Starts of an announced object put off because the drop tenant ran INGEST_MAX_RUNNING_JOBS jobs: its batch waits and is retried.',
    registers: [deps.metrics.registry],
  })
  const handle = async (messages: KafkaMessage[], from: BatchOrigin) => {
    for (const message of messages) {
      const objects = createdObjects(message.value ?? Buffer.alloc(0))
      if (!objects) {
        outcomes.inc({ outcome: 'malformed' })
        log.warn({ ...from, offset: message.offset }, 'a message on the drop events topic is no S3 event notification: skipped')
        continue
      }
      for (const object of objects) {
        const outcome = await startOne(object)
        outcomes.inc({ outcome })
        if (outcome === 'started' || outcome === 'refused')
          log.info({ bucket: object.bucket, key: object.key, etag: object.etag, outcome }, 'drop event')
      }
    }
  }
  const startOne = async (object: CreatedObject): Promise<DropEventOutcome> => {
    const uri = dropUriOf(object, deps.folder)
    if (!uri) return 'elsewhere'
    try {
      return (await deps.start(uri)).step
    } catch (err) {
      const code = (err as { code?: string }).code
      // Deleted since it was written: nothing to ingest (the scan will not list it either).
      if (code === codes.sourceNotFound) return 'gone'
      // The tenant runs as many jobs as it may: the batch is retried (with backoff) until one ends,
      // as a scan listing incrementally may not see this file again for days.
      if (code === codes.tooManyJobs) {
        held.inc()
        throw err
      }
      // A key the sources refuse (a "." segment, a bucket not allowed): the scan refuses it the same way.
      if (code === codes.invalid || code === codes.sourceForbidden) return 'refused'
      throw err
    }
  }
  const consumer = await startBatchConsumer(kafka, {
    groupId: deps.groupId,
    topics: [deps.topic],
    handle,
    // Never used: a message that is no event is counted and skipped, and a start that fails retries.
    dlq: { topic: events.INGESTION_TOPICS.recordDlq, producer: deps.producer },
    log,
    metrics: deps.metrics,
    sessionTimeoutMs: deps.sessionTimeoutMs,
  })
  log.info({ topic: deps.topic, group: deps.groupId, folder: deps.folder }, 'drop events: listening')
  return { consumer, stop: () => consumer.disconnect() }
}
