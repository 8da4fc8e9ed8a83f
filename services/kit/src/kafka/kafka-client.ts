/*
 * The only module that imports kafkajs, so that the KafkaJS-compatible API of
 * @confluentinc/kafka-javascript could replace it in one place (kafkajs is in maintenance mode).
 */
import type { KafkaConfig } from 'kafkajs'
import { Kafka, logLevel } from 'kafkajs'
import type { Logger } from '../log.ts'

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
