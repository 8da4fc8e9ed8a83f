import type { Kafka, KafkaConfig } from 'kafkajs'

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
