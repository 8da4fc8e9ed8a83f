import type { Kafka, KafkaConfig, KafkaMessage } from 'kafkajs'
import type { PlatformPrincipals } from '../kafka/acls.ts'
import { ensureAcls, platformAcls } from '../kafka/acls.ts'
import { DROP_EVENTS_TOPIC } from '../kafka/topics.ts'
import { pollUntil } from './poll.ts'

/** The principals of the test broker (scripts/lib/kafka.sh makes one per service, and admin). */
export type TestKafkaPrincipal = 'admin' | 'catalog' | 'search' | 'ingestion' | 'gateway'

function brokers(): string {
  const value = process.env.TEST_KAFKA_BROKERS
  if (!value) throw new Error('TEST_KAFKA_BROKERS is not set: run the tests through scripts/test.sh, which starts Kafka')
  return value
}

/**
 * The SASL credentials of a principal of the test broker, from what scripts/test.sh exports:
 * TEST_KAFKA_SASL_MECHANISM, TEST_KAFKA_SASL_USERNAME and TEST_KAFKA_SASL_PASSWORD for the
 * super user (what tests use to set up and look), TEST_KAFKA_<PRINCIPAL>_PASSWORD for a service's.
 * Undefined on a broker without authentication (no TEST_KAFKA_SASL_MECHANISM).
 */
export function testKafkaCredentials(principal: TestKafkaPrincipal = 'admin') {
  const mechanism = process.env.TEST_KAFKA_SASL_MECHANISM
  if (!mechanism) return undefined
  const username = principal === 'admin' ? process.env.TEST_KAFKA_SASL_USERNAME : principal
  const password =
    principal === 'admin' ? process.env.TEST_KAFKA_SASL_PASSWORD : process.env[`TEST_KAFKA_${principal.toUpperCase()}_PASSWORD`]
  if (!username || !password)
    throw new Error(`the test broker's credentials of ${principal} are not set: run the tests through scripts/test.sh`)
  return { mechanism: mechanism as 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username, password }
}

/** createKafka's connection options for the test broker, as `principal` (the super user by default). */
export function testKafka(principal: TestKafkaPrincipal = 'admin'): { brokers: string[] } & Pick<KafkaConfig, 'sasl'> {
  const credentials = testKafkaCredentials(principal)
  const list = brokers().split(',')
  if (!credentials) return { brokers: list }
  const { mechanism, username, password } = credentials
  return {
    brokers: list,
    sasl:
      mechanism === 'SCRAM-SHA-512'
        ? { mechanism: 'scram-sha-512', username, password }
        : { mechanism: 'scram-sha-256', username, password },
  }
}

/** The KAFKA_* variables that point a service process at the test broker, as `principal`. */
export function testKafkaEnv(principal: TestKafkaPrincipal = 'admin'): Record<string, string> {
  const credentials = testKafkaCredentials(principal)
  return {
    KAFKA_BROKERS: brokers(),
    ...(credentials
      ? {
          KAFKA_SASL_MECHANISM: credentials.mechanism,
          KAFKA_SASL_USERNAME: credentials.username,
          KAFKA_SASL_PASSWORD: credentials.password,
        }
      : {}),
  }
}

/**
 * Sets `groupId` at the end of `topic`: the shared test broker holds earlier tests' records, some
 * made to fail on purpose (the DLQs'), which a group reading from the beginning would retry.
 */
export async function startAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  const ends = await admin.fetchTopicOffsets(topic)
  await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) })
  await admin.disconnect()
}

/**
 * The records consumer group `group` set aside into `topic` (a DLQ: its `dlq-group` header names
 * the group), read by `readerGroup` (start it at the topic's end first); resolves once one came.
 */
export async function readDeadLetters(
  t: { teardown(fn: () => unknown): void },
  kafka: Kafka,
  options: { topic: string; readerGroup: string; group: string },
): Promise<KafkaMessage[]> {
  const reader = kafka.consumer({ groupId: options.readerGroup })
  await reader.connect()
  t.teardown(() => reader.disconnect())
  await reader.subscribe({ topic: options.topic })
  const dead: KafkaMessage[] = []
  await reader.run({
    eachMessage: async ({ message }) => {
      if (message.headers?.['dlq-group']?.toString() === options.group) dead.push(message)
    },
  })
  await pollUntil(
    () => dead.length,
    (n) => n > 0,
    30_000,
  )
  return dead
}

/**
 * The grants the topics Job makes (services/catalog/src/topics.ts) for the services' users and
 * default groups, on the test broker; `extra` adds the gateway's (or names other groups).
 */
export async function grantPlatformAcls(kafka: Kafka, extra: Partial<PlatformPrincipals> = {}): Promise<void> {
  await ensureAcls(
    kafka,
    platformAcls({
      catalog: 'catalog',
      search: 'search',
      ingestion: 'ingestion',
      catalogIngestGroup: 'catalog-ingest',
      searchGroup: 'search-indexer',
      ingestionAppliedGroup: 'ingestion-applied',
      dropEvents: { topic: DROP_EVENTS_TOPIC, group: 'ingestion-drop-events', objectStore: 'minio' },
      ...extra,
    }),
  )
}
