import type { EachBatchPayload, KafkaMessage } from 'kafkajs'
import { isUnavailable } from '../runtime/errors.ts'
import type { Logger } from '../telemetry/log.ts'
import type { BatchOrigin } from './set-aside.ts'

/** Thrown by a handler for a message that can never succeed (it cannot be decoded, say): it goes to the DLQ. */
export class PoisonMessageError extends Error {
  readonly poison = true
}

export const isPoison = (err: unknown) => (err as { poison?: boolean } | undefined)?.poison === true

/** A PostgreSQL error code (SQLSTATE): five digits or capitals. */
const SQLSTATE = /^[0-9A-Z]{5}$/
/**
 * Of PostgreSQL's errors, only a data exception (22xxx) or a broken constraint (23xxx) is the
 * record's own fault. Everything else passes on its own or with an operator (a deadlock, a timeout,
 * a read-only database after a failover, a full disk, a revoked grant): dead-lettering records
 * through it would empty the partition into the DLQ, and replaying them later could write old
 * values over newer ones.
 */
const RECORD_SQLSTATE = /^(22|23)/

/**
 * What a failure is, for telling whether a batch fails the same way each time: its code and
 * message. Undefined for a failure that passes on its own (a server away, a deadlock, an error
 * kafkajs deems retriable): those are retried for as long as they last, never dead-lettered.
 */
function failureKind(err: unknown): string | undefined {
  if (isUnavailable(err)) return undefined
  const { code, message, retriable } = (err ?? {}) as { code?: unknown; message?: unknown; retriable?: unknown }
  if (retriable === true) return undefined
  if (typeof code === 'string' && SQLSTATE.test(code) && !RECORD_SQLSTATE.test(code)) return undefined
  return `${typeof code === 'string' ? code : ''}:${typeof message === 'string' ? message : String(err)}`
}

export interface RetryOptions {
  /** Applies the messages; resolves once their effects are durable. */
  apply: (messages: KafkaMessage[], from: BatchOrigin) => Promise<void>
  /** Sets one message aside, with the error that stopped it and the attempts it had. */
  deadLetter: (from: BatchOrigin, message: KafkaMessage, err: unknown, attempts: number) => Promise<void>
  /** See BatchConsumerOptions.maxAttempts. */
  maxAttempts: number | undefined
  heartbeatInterval: number
  log: Logger
}

/**
 * Applies messages of one partition until they succeed, with backoff, heart-beating through each
 * pause (a pause longer than the session would cost the member its partitions). A poison message,
 * or a batch that failed the same way `maxAttempts` times, is applied one message at a time so the
 * good messages around the culprit still land, and the culprit goes to the DLQ.
 */
export async function applyWithRetry(payload: EachBatchPayload, messages: KafkaMessage[], options: RetryOptions): Promise<void> {
  const { batch, heartbeat, isRunning, isStale } = payload
  const from = { topic: batch.topic, partition: batch.partition }
  let lastKind: string | undefined
  let sameFailures = 0
  for (let attempt = 0; ; attempt++) {
    try {
      return await options.apply(messages, from)
    } catch (err) {
      const kind = failureKind(err)
      sameFailures = kind !== undefined && kind === lastKind ? sameFailures + 1 : kind === undefined ? 0 : 1
      lastKind = kind
      const givenUp = isPoison(err) || (options.maxAttempts !== undefined && sameFailures >= options.maxAttempts)
      if (givenUp && messages.length === 1) return options.deadLetter(from, messages[0] as KafkaMessage, err, attempt + 1)
      if (givenUp) {
        for (const m of messages) await applyWithRetry(payload, [m], options)
        return
      }
      if (!isRunning() || isStale()) throw err
      const pause = Math.min(30_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)
      options.log.warn({ err, topic: batch.topic, partition: batch.partition, attempt, pause }, 'batch failed; retrying')
      for (let waited = 0; waited < pause; waited += options.heartbeatInterval) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(options.heartbeatInterval, pause - waited)))
        await heartbeat()
      }
    }
  }
}
