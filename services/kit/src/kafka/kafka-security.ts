import { readFileSync } from 'node:fs'
import type { KafkaConfig, SASLOptions } from 'kafkajs'
import { ConfigError } from '../runtime/errors.ts'

/** The variables of kafkaSecurityEnv, as loadConfig returns them. */
export interface KafkaSecurityConfig {
  KAFKA_SASL_MECHANISM?: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | undefined
  KAFKA_SASL_USERNAME?: string | undefined
  KAFKA_SASL_PASSWORD?: string | undefined
  KAFKA_SASL_PASSWORD_FILE?: string | undefined
  KAFKA_TLS?: boolean | undefined
  KAFKA_TLS_CA_FILE?: string | undefined
}

/**
 * The combinations the schema alone cannot refuse, each named: a mechanism needs a user and one
 * password source; a user or password without a mechanism, or a CA without TLS, would be ignored
 * and the client would connect as someone else than the operator meant.
 */
export function kafkaSecurityProblems(config: KafkaSecurityConfig): string[] {
  const problems: string[] = []
  const password = config.KAFKA_SASL_PASSWORD !== undefined
  const passwordFile = config.KAFKA_SASL_PASSWORD_FILE !== undefined
  if (config.KAFKA_SASL_MECHANISM) {
    const mechanism = `KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM}`
    if (!config.KAFKA_SASL_USERNAME) problems.push(`${mechanism} needs KAFKA_SASL_USERNAME`)
    if (!password && !passwordFile) problems.push(`${mechanism} needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE`)
    if (password && passwordFile) problems.push('KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set: keep one')
  } else {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const) {
      if (config[name] !== undefined) problems.push(`${name} is set without KAFKA_SASL_MECHANISM`)
    }
  }
  if (config.KAFKA_TLS_CA_FILE !== undefined && !config.KAFKA_TLS)
    problems.push('KAFKA_TLS_CA_FILE is set without KAFKA_TLS=true')
  return problems
}

export function checkKafkaSecurity(config: KafkaSecurityConfig): void {
  const problems = kafkaSecurityProblems(config)
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
}

/**
 * What createKafka needs to reach the configured brokers as the configured principal: the
 * bootstrap list, SASL/SCRAM credentials (the password read now from its file, a mounted Secret)
 * and TLS with an optional private CA.
 */
export function kafkaConnection(
  config: KafkaSecurityConfig & { KAFKA_BROKERS?: string | undefined },
): { brokers: string[] } & Pick<KafkaConfig, 'ssl' | 'sasl'> {
  checkKafkaSecurity(config)
  // The schema's pattern (kafkaEnv) already refused blanks and empty items.
  const brokers = (config.KAFKA_BROKERS ?? '').split(',').filter(Boolean)
  if (brokers.length === 0) throw new ConfigError('invalid configuration: KAFKA_BROKERS is not set')
  return { brokers, ...kafkaSsl(config), ...kafkaSasl(config) }
}

function kafkaSsl(config: KafkaSecurityConfig): Pick<KafkaConfig, 'ssl'> {
  if (!config.KAFKA_TLS) return {}
  if (config.KAFKA_TLS_CA_FILE === undefined) return { ssl: true }
  return { ssl: { ca: [readSecretFile('KAFKA_TLS_CA_FILE', config.KAFKA_TLS_CA_FILE)] } }
}

function kafkaSasl(config: KafkaSecurityConfig): { sasl?: SASLOptions } {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username = '' } = config
  if (!mechanism) return {}
  const password =
    config.KAFKA_SASL_PASSWORD_FILE === undefined
      ? (config.KAFKA_SASL_PASSWORD ?? '')
      : // A mounted Secret or a file written by `echo` ends with a newline that is no part of it.
        readSecretFile('KAFKA_SASL_PASSWORD_FILE', config.KAFKA_SASL_PASSWORD_FILE).replace(/\r?\n$/, '')
  if (password === '') throw new ConfigError('invalid configuration: the Kafka SASL password is empty')
  const sasl: SASLOptions =
    mechanism === 'SCRAM-SHA-512'
      ? { mechanism: 'scram-sha-512', username, password }
      : { mechanism: 'scram-sha-256', username, password }
  return { sasl }
}

function readSecretFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(
      `invalid configuration: ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    )
  }
}
