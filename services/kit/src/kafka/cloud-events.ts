import { createHash } from 'node:crypto'
import type { IHeaders } from 'kafkajs'

/** A CloudEvents event in binary mode: attributes in `ce_*` headers, the protobuf payload as the value. */
export interface CloudEvent {
  id: string
  type: string
  source: string
  time: Date
  /** W3C trace context of the write that made the event, when there is one. */
  traceparent?: string
  headers?: Record<string, string>
}

export function cloudEventHeaders(event: CloudEvent): IHeaders {
  return {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time.toISOString(),
    'content-type': 'application/protobuf',
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
    ...event.headers,
  }
}

/** The `ce_*` attributes of a consumed message, as strings. */
export function readCloudEvent(
  headers: IHeaders | undefined,
): Partial<Record<'id' | 'type' | 'source' | 'time' | 'traceparent', string>> {
  const text = (key: string) => {
    const value = headers?.[key]
    const first = Array.isArray(value) ? value[0] : value
    return first === undefined ? undefined : first.toString()
  }
  return {
    id: text('ce_id'),
    type: text('ce_type'),
    source: text('ce_source'),
    time: text('ce_time'),
    traceparent: text('traceparent'),
  }
}

/** RFC 9562's URL namespace: the name of a dead letter reads as the address of the record it sets aside. */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex')

/**
 * The CloudEvent id of what a consumer sends to a DLQ for the record at `topic`/`partition`/`offset`:
 * a name-based UUID (version 5) of `kafka:<topic>/<partition>/<offset>#<kind>`. A batch applied
 * again after a failure, by this member or another, before or after a restart, sets the same
 * record aside under the same id, so a reader of the DLQ keeps one of each (a replay applies it
 * once). `kind` tells apart the different things one record may become in a DLQ (the record
 * itself, a rejection of it).
 */
export function deadLetterId(kind: string, from: { topic: string; partition: number; offset: string }): string {
  const name = `kafka:${from.topic}/${from.partition}/${from.offset}#${kind}`
  const hash = createHash('sha1').update(URL_NAMESPACE).update(name).digest()
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6)
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8)
  const hex = hash.toString('hex', 0, 16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
