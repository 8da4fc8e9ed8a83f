import { commonEnv, grpcServerEnv, kafkaConsumerEnv, kafkaEnv, loadConfig, postgresEnv } from '@catalog/kit'
import type { Static } from 'typebox'
import { Type } from 'typebox'

export const searchEnv = Type.Object({
  ...commonEnv,
  SERVICE_NAME: Type.String({ minLength: 1, default: 'search' }),
  ...grpcServerEnv,
  ...postgresEnv,
  ...kafkaEnv,
  ...kafkaConsumerEnv,
  SEARCH_CONSUMER_GROUP: Type.String({ minLength: 1, default: 'search-indexer' }),
  /** Bound on one search's SQL: a pathological regex ends here with a 4xx. */
  SEARCH_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 2_000 }),
  SEARCH_ALLOWED_CALLERS: Type.String({ default: 'gateway' }),
})

export type SearchConfig = Readonly<Static<typeof searchEnv>>

export const loadSearchConfig = (env: NodeJS.ProcessEnv = process.env): SearchConfig => loadConfig(searchEnv, env)
