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
