import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { KafkaMessage } from 'kafkajs'
import { tracingStarted } from '../telemetry/telemetry-state.ts'
import { inSpan, linkTo, startSpan } from '../telemetry/trace-context.ts'

const MESSAGING = { 'messaging.system': 'kafka' } as const

/**
 * Tracing of one batch: a span per traced message (per distinct parent), the child of the span that
 * published it, so each event's trace reaches its consumer; and one span for the batch's own work (its SQL), linked
 * to the messages, since a batch serves many traces at once. The spans end when the batch's
 * effects are durable.
 */
export async function traced(group: string, topic: string, messages: KafkaMessage[], apply: () => Promise<void>): Promise<void> {
  // Tracing off: no spans to make, so no headers to read on every batch.
  if (!tracingStarted()) return apply()
  const attributes = { ...MESSAGING, 'messaging.destination.name': topic, 'messaging.consumer.group.name': group }
  // One span per distinct parent: an event has its own, while the million records of one
  // ingestion job share the job's, and make one span per batch, not one each.
  const byParent = new Map<string, KafkaMessage[]>()
  for (const m of messages) {
    const parent = headerText(m.headers?.traceparent)
    if (!parent) continue
    const group = byParent.get(parent)
    if (group) group.push(m)
    else byParent.set(parent, [m])
  }
  const perMessage = [...byParent].flatMap(([parent, group]) => {
    const { span } = startSpan(`${topic} process`, {
      kind: SpanKind.CONSUMER,
      parent,
      attributes: {
        ...attributes,
        'messaging.operation.type': 'process',
        'messaging.batch.message_count': group.length,
        'messaging.kafka.offset': Number(group[0]?.offset),
      },
    })
    return span.isRecording() ? [{ span, parent }] : []
  })
  try {
    await inSpan(
      `${topic} process batch`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { ...attributes, 'messaging.operation.type': 'process', 'messaging.batch.message_count': messages.length },
        links: perMessage.flatMap(({ parent }) => linkTo(parent) ?? []),
      },
      apply,
    )
  } catch (err) {
    for (const { span } of perMessage) span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) })
    throw err
  } finally {
    for (const { span } of perMessage) span.end()
  }
}

const headerText = (value: Buffer | string | (Buffer | string)[] | undefined): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value
  return first === undefined ? undefined : first.toString()
}
