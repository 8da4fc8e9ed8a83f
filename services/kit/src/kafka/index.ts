/** Kafka: the client, producer, batch consumer with retries and dead letters, topics, ACLs, CloudEvents. */
export { type AclGrant, aclsOf, ensureAcls, type PlatformPrincipals, platformAcls, REPLAY_GROUP_PREFIX } from './acls.ts'
export {
  type BatchConsumerOptions,
  type BatchOrigin,
  type HandledBatch,
  PoisonMessageError,
  startBatchConsumer,
} from './batch-consumer.ts'
export { type CloudEvent, cloudEventHeaders, deadLetterId, readCloudEvent } from './cloud-events.ts'
export {
  type Consumer,
  createKafka,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
  kafkaAccessProblem,
  kafkaCheck,
  type Producer,
} from './kafka-client.ts'
export {
  checkKafkaSecurity,
  type KafkaSecurityConfig,
  kafkaConnection,
  kafkaSecurityProblems,
} from './kafka-security.ts'
export { createIdempotentProducer } from './producer.ts'
export { DROP_EVENTS_TOPIC, ensureTopics, PLATFORM_TOPICS, type TopicSpec } from './topics.ts'
