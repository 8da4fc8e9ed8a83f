/*
 * The only module that imports kafkajs, so that the KafkaJS-compatible API of
 * @confluentinc/kafka-javascript could replace it in one place (kafkajs is in maintenance mode).
 */
import type { KafkaConfig } from 'kafkajs'
import { Kafka, logLevel } from 'kafkajs'
import type { Logger } from '../telemetry/log.ts'

export type { Admin, Consumer, EachBatchPayload, IHeaders, KafkaMessage, Producer } from 'kafkajs'

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
}

export function createKafka(options: { brokers: string[]; clientId: string; log: Logger } & Partial<KafkaConfig>): Kafka {
  const { brokers, clientId, log, ...rest } = options
  return new Kafka({
    brokers,
    clientId,
    // kafkajs logs through pino, at warn and above: its info lines are per connection.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...fields } = entry
        log[LEVELS[level] ?? 'info']({ kafka: fields }, message)
      },
    retry: { initialRetryTime: 100, retries: 8 },
    ...rest,
  })
}

export type { Kafka }

/** Kafka's answers that mean "not you" or "not this": no retry mends them, the operator must. */
const ACCESS_ERRORS = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
])

/**
 * What a Kafka error says when the brokers refused this client's credentials or its ACLs deny the
 * request (kafkajs wraps the broker's answer in retry errors: the causes are searched too), or
 * undefined for any other failure.
 */
export function kafkaAccessProblem(err: unknown): string | undefined {
  let cause: unknown = err
  for (let depth = 0; depth < 5 && typeof cause === 'object' && cause !== null; depth++) {
    const e = cause as { name?: string; type?: string; message?: string; cause?: unknown; originalError?: unknown }
    if (e.name === 'KafkaJSSASLAuthenticationError' || (e.type !== undefined && ACCESS_ERRORS.has(e.type))) {
      return `kafka refused access: ${e.message ?? e.type} (check KAFKA_SASL_USERNAME, its password and the ACLs granted to it)`
    }
    cause = e.originalError ?? e.cause
  }
  return undefined
}

/**
 * A readiness check of the Kafka cluster: one metadata request on its own admin connection,
 * without retries (the probe's own timeout bounds it), one at a time however often probed.
 */
export function kafkaCheck(kafka: Kafka): () => Promise<void> {
  const admin = kafka.admin({ retry: { retries: 0 } })
  let connected: Promise<void> | undefined
  let inFlight: Promise<void> | undefined
  return () => {
    inFlight ??= (async () => {
      connected ??= admin.connect()
      try {
        await connected
        await admin.describeCluster()
      } catch (err) {
        // Reconnect on the next probe.
        connected = undefined
        await admin.disconnect().catch(() => undefined)
        throw new Error(kafkaAccessProblem(err) ?? `kafka unreachable: ${err instanceof Error ? err.message : String(err)}`)
      } finally {
        inFlight = undefined
      }
    })()
    return inFlight
  }
}
