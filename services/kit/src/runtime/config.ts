import envSchema from 'env-schema'
import type { Static, TObject, TProperties } from 'typebox'
import { Type } from 'typebox'
import { checkKafkaSecurity } from '../kafka/kafka-security.ts'
import { ConfigError } from './errors.ts'

/**
 * Loads configuration from environment variables: validated once against the schema (with
 * defaults and type coercion), typed from the same schema, then frozen. A wrong or missing
 * value throws a ConfigError that names every offending variable.
 */
export function loadConfig<T extends TObject>(schema: T, env: NodeJS.ProcessEnv = process.env): Readonly<Static<T>> {
  try {
    const config = envSchema<Static<T>>({ schema, data: env, dotenv: false })
    // Rules across variables, for the fragments below that have some.
    if ('KAFKA_SASL_MECHANISM' in schema.properties) checkKafkaSecurity(config)
    checkForwarders(config)
    return Object.freeze(config)
  } catch (err) {
    if (err instanceof ConfigError) throw err
    const message = err instanceof Error ? err.message : String(err)
    throw new ConfigError(`invalid configuration: ${message.replaceAll('env/', '').replaceAll('env ', '')}`)
  }
}

/** A comma-separated variable as its items: trimmed, empties dropped; unset or blank is none. */
export function list(value: string | undefined): string[] {
  if (!value) return []
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

const FORWARDERS = '_FORWARDERS'

/**
 * Each service's `<X>_FORWARDERS` (who may forward a user's principal) names only identities its
 * `<X>_ALLOWED_CALLERS` admits: a forwarder that may not call is a mistake, a typo most likely. And
 * it names them one by one: `*` would let any identity of the platform act as any tenant.
 */
function checkForwarders(config: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(config)) {
    if (!key.endsWith(FORWARDERS) || typeof value !== 'string') continue
    const callersKey = `${key.slice(0, -FORWARDERS.length)}_ALLOWED_CALLERS`
    const callers = list(typeof config[callersKey] === 'string' ? config[callersKey] : undefined)
    for (const forwarder of list(value)) {
      if (forwarder === '*')
        throw new ConfigError(`invalid configuration: ${key} must name each forwarder; * would trust any platform identity`)
      if (!callers.includes(forwarder) && !callers.includes('*'))
        throw new ConfigError(
          `invalid configuration: ${key} names "${forwarder}", which ${callersKey} does not: a forwarder must be an allowed caller`,
        )
    }
  }
}

/** Schema fragments every service shares, so the same variable means the same thing everywhere. */
export const commonEnv = {
  SERVICE_NAME: Type.String({ minLength: 1 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** Side HTTP port for /metrics, /healthz and /readyz. */
  METRICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9464 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
} satisfies TProperties

/** How often the TLS files are re-read, so renewed certificates apply without a restart; 0 reads them once. */
export const tlsRefreshEnv = {
  TLS_REFRESH_MS: Type.Integer({ minimum: 0, default: 60_000 }),
} satisfies TProperties

export const grpcServerEnv = {
  GRPC_HOST: Type.String({ default: '0.0.0.0' }),
  GRPC_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 50051 }),
  /** Plaintext port that serves only grpc.health.v1 for kubelet probes, which speak no TLS. 0 picks one. */
  HEALTH_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 50050 }),
  TLS_CA_FILE: Type.String({ minLength: 1 }),
  TLS_CERT_FILE: Type.String({ minLength: 1 }),
  TLS_KEY_FILE: Type.String({ minLength: 1 }),
  TLS_TRUST_DOMAIN: Type.String({ minLength: 1, default: 'catalog.platform' }),
  /**
   * Identities that may use server reflection, comma-separated (`*`: any platform identity); empty:
   * reflection is off. The gateway by default, so grpcurl with its development certificate works
   * locally; it knows every method already. The charts turn it off.
   */
  GRPC_REFLECTION_CALLERS: Type.String({ default: 'gateway' }),
  ...tlsRefreshEnv,
} satisfies TProperties

export const postgresEnv = {
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  /** Run migrations at start (local and tests); in Kubernetes a pre-upgrade Job runs them instead. */
  DATABASE_MIGRATE: Type.Boolean({ default: true }),
} satisfies TProperties

/**
 * How a client proves who it is to the brokers (SASL/SCRAM) and whether it speaks TLS to them; a
 * broker with an authorizer then grants each principal only its own topics and group (see
 * kafka/acls.ts). Unset: an anonymous plaintext client, as on an open development broker.
 * loadConfig refuses the combinations that make no sense (see kafkaSecurityProblems).
 */
export const kafkaSecurityEnv = {
  KAFKA_SASL_MECHANISM: Type.Optional(Type.Union([Type.Literal('SCRAM-SHA-512'), Type.Literal('SCRAM-SHA-256')])),
  KAFKA_SASL_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  KAFKA_SASL_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  /** The password in a file (a mounted Secret), instead of KAFKA_SASL_PASSWORD. */
  KAFKA_SASL_PASSWORD_FILE: Type.Optional(Type.String({ minLength: 1 })),
  KAFKA_TLS: Type.Boolean({ default: false }),
  /** A PEM bundle of the CAs that sign the brokers' certificates; unset: the system's. */
  KAFKA_TLS_CA_FILE: Type.Optional(Type.String({ minLength: 1 })),
} satisfies TProperties

export const kafkaEnv = {
  /** Comma-separated host:port of the Kafka bootstrap brokers. */
  KAFKA_BROKERS: Type.String({ minLength: 1, pattern: '^[^,\\s]+(,[^,\\s]+)*$' }),
  KAFKA_CREATE_TOPICS: Type.Boolean({ default: true, description: 'create missing platform topics at start (local)' }),
  ...kafkaSecurityEnv,
} satisfies TProperties

export const DEFAULT_KAFKA_SESSION_TIMEOUT_MS = 10_000

/** For services whose consumers join a group. */
export const kafkaConsumerEnv = {
  /**
   * How long the group waits for a member that stopped heart-beating (killed, say) before giving
   * its partitions to the others. It must outlast one batch's apply, since kafkajs heart-beats
   * between batches; the broker refuses values outside its group.min/max.session.timeout.ms.
   */
  KAFKA_SESSION_TIMEOUT_MS: Type.Integer({ minimum: 6_000, maximum: 300_000, default: DEFAULT_KAFKA_SESSION_TIMEOUT_MS }),
} satisfies TProperties
