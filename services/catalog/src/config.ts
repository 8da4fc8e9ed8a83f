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
  /**
   * Attempts of an ingest batch that fails the same way each time (not a server away) before its
   * records are applied one by one and one that still fails goes to ingestion.record.dlq.v1.
   */
  CATALOG_INGEST_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** Workload identities allowed to call the catalog, comma-separated. */
  CATALOG_ALLOWED_CALLERS: Type.String({ default: 'gateway' }),
  /**
   * Of those, the ones trusted to forward an end user's principal (tenant, subject, scopes),
   * comma-separated: only a caller that verified the user itself. Empty: none.
   */
  CATALOG_FORWARDERS: Type.String({ default: 'gateway' }),
  /**
   * Price history older than this many days is dropped, a whole month at a time once all of it
   * is past (so up to a month more is kept); 0: kept for ever.
   */
  PRICE_HISTORY_RETENTION_DAYS: Type.Integer({ minimum: 0, maximum: 36_500, default: 0 }),
  /** Months of price history partitions made ahead of the current one (checked at start and every 6 hours). */
  PRICE_HISTORY_MONTHS_AHEAD: Type.Integer({ minimum: 1, maximum: 24, default: 3 }),
})

export type CatalogConfig = Readonly<Static<typeof catalogEnv>>

export const loadCatalogConfig = (env: NodeJS.ProcessEnv = process.env): CatalogConfig => loadConfig(catalogEnv, env)
