import {
  commonEnv,
  createKafka,
  createLogger,
  ensureTopics,
  kafkaEnv,
  list,
  loadConfig,
  PLATFORM_TOPICS,
  runTask,
} from '@catalog/kit'
import { Type } from 'typebox'

/**
 * The topics Job (a pre-install/pre-upgrade hook of the chart): creates the platform's topics that
 * do not exist yet, with the cluster's replication factor, and exits. Existing topics are left as
 * they are; where Strimzi manages topics, the chart renders KafkaTopic resources instead.
 */
await runTask('topics', async () => {
  const config = loadConfig(
    Type.Object({
      ...commonEnv,
      KAFKA_BROKERS: kafkaEnv.KAFKA_BROKERS,
      KAFKA_REPLICATION_FACTOR: Type.Integer({ minimum: 1, maximum: 7, default: 3 }),
    }),
  )
  const log = createLogger({ name: config.SERVICE_NAME, level: config.LOG_LEVEL })
  const kafka = createKafka({ brokers: list(config.KAFKA_BROKERS), clientId: `${config.SERVICE_NAME}-topics`, log })
  const created = await ensureTopics(kafka, PLATFORM_TOPICS, config.KAFKA_REPLICATION_FACTOR)
  log.info({ created }, 'platform topics ready')
})
