import type { IHeaders, KafkaMessage, Producer } from 'kafkajs'
import type { Logger } from '../telemetry/log.ts'
import { isPoison } from './batch-retry.ts'
import { deadLetterId } from './cloud-events.ts'
import type { BatchOrigin } from './set-aside.ts'

/** The `kind` of deadLetterId for a message the consumer sets aside as it is. */
const DEAD_LETTER_KIND = 'dead-letter'

export interface DeadLetterOptions {
  dlq: { topic: string; producer: Producer }
  groupId: string
  log: Logger
}

/**
 * Sends a message to the DLQ as it was, with the reason in headers, under a CloudEvent id of its
 * own that a restart gives it again (its own id, if any, in `dlq-ce-id`), so the DLQ's readers can
 * drop a copy. Resolves once the DLQ acked it.
 */
export async function deadLetter(
  { dlq, groupId, log }: DeadLetterOptions,
  { topic, partition }: BatchOrigin,
  message: KafkaMessage,
  err: unknown,
  attempts: number,
): Promise<void> {
  const { ce_id: ownId, ...own } = message.headers ?? {}
  const headers: IHeaders = {
    ...own,
    ce_id: deadLetterId(DEAD_LETTER_KIND, { topic, partition, offset: message.offset }),
    ...(ownId === undefined ? {} : { 'dlq-ce-id': ownId }),
    'dlq-reason': err instanceof Error ? err.message.slice(0, 500) : String(err),
    'dlq-topic': topic,
    'dlq-partition': String(partition),
    'dlq-offset': message.offset,
    'dlq-group': groupId,
    'dlq-attempts': String(attempts),
  }
  await dlq.producer.send({ topic: dlq.topic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] })
  log.warn(
    { topic, partition, offset: message.offset, attempts, err },
    isPoison(err) ? 'poison message sent to the DLQ' : `message failed ${attempts} times the same way; sent to the DLQ`,
  )
}
