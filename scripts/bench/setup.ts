// What the benches that run the platform as processes share: where the repository and the
// development certificates are, the bench servers scripts/bench/run.sh starts, and fresh databases.
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import { readTlsFiles } from '@catalog/kit'
import pg from 'pg'

export const ROOT = resolve(import.meta.dirname, '../..')

/**
 * The heap bound the ingestion service runs with (scripts/start.sh, the chart); INGESTION_NODE_OPTIONS
 * overrides it. Ingestion is twice as fast as the rest of the pipeline, so trading some of its speed
 * for memory costs nothing end to end.
 */
export const INGESTION_NODE_OPTIONS = process.env.INGESTION_NODE_OPTIONS ?? '--max-old-space-size=160 --max-semi-space-size=16'
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:55434/postgres'
export const BENCH_KAFKA_BROKERS = process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:59492'
/** The KAFKA_* variables of the services a bench starts: the bench broker authenticates them as its super user. */
export const BENCH_KAFKA_ENV: Record<string, string> = {
  KAFKA_BROKERS: BENCH_KAFKA_BROKERS,
  ...(process.env.BENCH_KAFKA_SASL_PASSWORD_FILE
    ? {
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'admin',
        KAFKA_SASL_PASSWORD_FILE: process.env.BENCH_KAFKA_SASL_PASSWORD_FILE,
      }
    : {}),
}

/** A service's TLS_* variables for its development certificate (scripts/certs.sh). */
export const tlsEnv = (name: string) => {
  const certs = join(ROOT, '.certs')
  return {
    TLS_CA_FILE: join(certs, 'ca.crt'),
    TLS_CERT_FILE: join(certs, `${name}.crt`),
    TLS_KEY_FILE: join(certs, `${name}.key`),
  }
}

/** The TLS files a bench's own client calls the services with: the gateway's certificate, as the gateway would. */
export const callerTls = () => {
  const env = tlsEnv('gateway')
  return readTlsFiles({ caFile: env.TLS_CA_FILE, certFile: env.TLS_CERT_FILE, keyFile: env.TLS_KEY_FILE })
}

/**
 * The operator's LOG_LEVEL and OTEL_* variables, passed on to the services a bench starts, so that
 * one run can measure what a log level or tracing costs (`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 bash scripts/bench/run.sh catalog`).
 */
export const operatorEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => (entry[0] === 'LOG_LEVEL' || entry[0].startsWith('OTEL_')) && entry[1] !== undefined,
    ),
  )

/** Fresh databases on the bench PostgreSQL, `<name>_<run suffix>`; `drop` removes them all. */
export async function benchDatabases() {
  const admin = new pg.Client({ connectionString: BENCH_DATABASE_URL })
  await admin.connect()
  const suffix = randomBytes(3).toString('hex')
  const made: string[] = []
  return {
    async create(name: string): Promise<string> {
      await admin.query(`CREATE DATABASE ${name}_${suffix}`)
      made.push(`${name}_${suffix}`)
      return Object.assign(new URL(BENCH_DATABASE_URL), { pathname: `/${name}_${suffix}` }).toString()
    },
    async drop(): Promise<void> {
      for (const db of made) await admin.query(`DROP DATABASE ${db} WITH (FORCE)`)
      await admin.end()
    },
  }
}
