import {
  commonEnv,
  createKafka,
  createLogger,
  DROP_EVENTS_TOPIC,
  ensureAcls,
  ensureTopics,
  kafkaConnection,
  kafkaEnv,
  kafkaSecurityEnv,
  loadConfig,
  PLATFORM_TOPICS,
  platformAcls,
  runTask,
} from '@catalog/kit'
import { Type } from 'typebox'

/**
 * The topics Job (a pre-install/pre-upgrade hook of the chart): creates the platform's topics that
 * do not exist yet, with the cluster's replication factor, grants each service's principal what
 * it needs on them (KAFKA_ACLS), and exits. Existing topics are left as they are; where Strimzi
 * manages topics, the chart renders KafkaTopic resources instead. It connects as a principal
 * that may create topics and ACLs (the cluster's admin).
 */
await runTask('topics', async () => {
  const config = loadConfig(
    Type.Object({
      ...commonEnv,
      KAFKA_BROKERS: kafkaEnv.KAFKA_BROKERS,
      ...kafkaSecurityEnv,
      KAFKA_REPLICATION_FACTOR: Type.Integer({ minimum: 1, maximum: 7, default: 3 }),
      /** Grant each service's principal its topics and group: for brokers with an authorizer. */
      KAFKA_ACLS: Type.Boolean({ default: false }),
      KAFKA_CATALOG_USER: Type.String({ minLength: 1, default: 'catalog' }),
      KAFKA_SEARCH_USER: Type.String({ minLength: 1, default: 'search' }),
      KAFKA_INGESTION_USER: Type.String({ minLength: 1, default: 'ingestion' }),
      /** The gateway's user, for its item cache's invalidation stream; empty: no grants for it. */
      KAFKA_GATEWAY_USER: Type.String({ default: 'gateway' }),
      /** The groups the consumers join: the same variables, and defaults, as the services'. */
      CATALOG_INGEST_GROUP: Type.String({ minLength: 1, default: 'catalog-ingest' }),
      SEARCH_CONSUMER_GROUP: Type.String({ minLength: 1, default: 'search-indexer' }),
      INGESTION_APPLIED_GROUP: Type.String({ minLength: 1, default: 'ingestion-applied' }),
      CACHE_GROUP_PREFIX: Type.String({ minLength: 1, default: 'gateway-cache' }),
      /** Event-driven drops: ingestion reads this topic in DROP_EVENTS_GROUP; the same variables as ingestion's. */
      DROP_EVENTS_TOPIC: Type.String({ minLength: 1, default: DROP_EVENTS_TOPIC }),
      DROP_EVENTS_GROUP: Type.String({ minLength: 1, default: 'ingestion-drop-events' }),
      /** The object store's user, which writes DROP_EVENTS_TOPIC (MinIO's Kafka notification target); empty: no grant. */
      KAFKA_OBJECT_STORE_USER: Type.String({ default: '' }),
    }),
  )
  const log = createLogger({ name: config.SERVICE_NAME, level: config.LOG_LEVEL })
  const kafka = createKafka({ ...kafkaConnection(config), clientId: `${config.SERVICE_NAME}-topics`, log })
  const created = await ensureTopics(kafka, PLATFORM_TOPICS, config.KAFKA_REPLICATION_FACTOR)
  log.info({ created }, 'platform topics ready')
  if (!config.KAFKA_ACLS) return
  const grants = platformAcls({
    catalog: config.KAFKA_CATALOG_USER,
    search: config.KAFKA_SEARCH_USER,
    ingestion: config.KAFKA_INGESTION_USER,
    catalogIngestGroup: config.CATALOG_INGEST_GROUP,
    searchGroup: config.SEARCH_CONSUMER_GROUP,
    ingestionAppliedGroup: config.INGESTION_APPLIED_GROUP,
    dropEvents: {
      topic: config.DROP_EVENTS_TOPIC,
      group: config.DROP_EVENTS_GROUP,
      ...(config.KAFKA_OBJECT_STORE_USER ? { objectStore: config.KAFKA_OBJECT_STORE_USER } : {}),
    },
    ...(config.KAFKA_GATEWAY_USER ? { gateway: config.KAFKA_GATEWAY_USER, gatewayGroupPrefix: config.CACHE_GROUP_PREFIX } : {}),
  })
  await ensureAcls(kafka, grants)
  log.info({ grants: grants.length }, 'platform ACLs ready')
})
