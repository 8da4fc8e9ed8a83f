import { commonEnv, grpcServerEnv, kafkaConsumerEnv, kafkaEnv, kafkaSecurityEnv, loadConfig, postgresEnv } from '@catalog/kit'
import type { Static } from 'typebox'
import { Type } from 'typebox'

export const catalogEnv = Type.Object({
  ...commonEnv,
  SERVICE_NAME: Type.String({ minLength: 1, default: 'catalog' }),
  ...grpcServerEnv,
  ...postgresEnv,
  /** Without brokers the catalog still serves; its outbox waits for a relay. */
  KAFKA_BROKERS: Type.Optional(kafkaEnv.KAFKA_BROKERS),
  KAFKA_CREATE_TOPICS: kafkaEnv.KAFKA_CREATE_TOPICS,
  ...kafkaSecurityEnv,
  ...kafkaConsumerEnv,
  /** The consumer group that applies ingestion.record.v1. */
  CATALOG_INGEST_GROUP: Type.String({ minLength: 1, default: 'catalog-ingest' }),
  /** Workload identities allowed to call the catalog, comma-separated. */
  CATALOG_ALLOWED_CALLERS: Type.String({ default: 'gateway' }),
})

export type CatalogConfig = Readonly<Static<typeof catalogEnv>>

export const loadCatalogConfig = (env: NodeJS.ProcessEnv = process.env): CatalogConfig => loadConfig(catalogEnv, env)
