import { Type } from 'typebox'
import type { PlatformGrpcServer, ServiceServerDeps } from '../grpc/grpc-server.ts'
import { kafkaAccessProblem } from '../kafka/kafka-client.ts'
import type { Pool } from '../postgres/postgres.ts'
import { createPool, migrate } from '../postgres/postgres.ts'
import type { Logger } from '../telemetry/log.ts'
import { createLogger } from '../telemetry/log.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import { createMetrics } from '../telemetry/metrics.ts'
import { certificateMetrics, poolMetrics } from '../telemetry/runtime-metrics.ts'
import type { TlsFiles } from '../tls/tls.ts'
import { readTlsFiles } from '../tls/tls.ts'
import { commonEnv, list, loadConfig, postgresEnv } from './config.ts'
import { isPlatformError } from './errors.ts'
import type { ShutdownStep } from './lifecycle.ts'
import { handleShutdown } from './lifecycle.ts'
import type { Check } from './ops-server.ts'
import { startOpsServer } from './ops-server.ts'

/** What every process that serves reads: its name, logs, ops port (none when undefined), shutdown bound and workload certificate. */
export interface ServiceConfig {
  SERVICE_NAME: string
  LOG_LEVEL: string
  METRICS_PORT?: number
  SHUTDOWN_TIMEOUT_MS: number
  TLS_CA_FILE: string
  TLS_CERT_FILE: string
  TLS_KEY_FILE: string
  TLS_REFRESH_MS: number
}

export interface RuntimeContext<C> {
  config: C
  log: Logger
  metrics: Metrics
  tls: TlsFiles
}

/** What a service built: how it takes traffic, what readiness checks, and how it stops. */
export interface Started {
  /** Starts taking traffic; what it returns goes into the `<name> ready` line (the port, say). */
  listen(): Promise<Record<string, unknown>>
  checks: Record<string, Check>
  /** Run in order on SIGTERM, after readiness turns false and before the ops port closes. */
  stop: ShutdownStep[]
  /** The interface the ops port binds (default: every interface). */
  opsHost?: string
}

/**
 * What every process's main.ts does, once: load and check the config, open its logs, metrics and
 * certificates, let the service build itself, serve health and metrics, take traffic, log
 * `<name> ready`, and on SIGTERM turn unready, stop in the service's order, close the ops port. A
 * wrong configuration stops the process with one line naming the problem.
 */
export async function runService<C extends ServiceConfig>(options: {
  name: string
  loadConfig: () => C
  start: (ctx: RuntimeContext<C>) => Promise<Started>
}): Promise<void> {
  try {
    const config = options.loadConfig()
    const log = createLogger({ name: config.SERVICE_NAME, level: config.LOG_LEVEL })
    const tls = readTlsFiles(
      { caFile: config.TLS_CA_FILE, certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE },
      config.TLS_REFRESH_MS,
    )
    const metrics = createMetrics({ service: config.SERVICE_NAME })
    certificateMetrics(tls, metrics, log)
    const started = await options.start({ config, log, metrics, tls })
    let stopping = false
    const ops =
      config.METRICS_PORT === undefined
        ? undefined
        : await startOpsServer({
            ...(started.opsHost ? { host: started.opsHost } : {}),
            port: config.METRICS_PORT,
            registry: metrics.registry,
            checks: started.checks,
            isShuttingDown: () => stopping,
          })
    const listening = await started.listen()
    log.info({ ...listening, metricsPort: ops?.port }, `${options.name} ready`)

    handleShutdown({
      log,
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      steps: [
        {
          name: 'not ready',
          run: async () => {
            stopping = true
          },
        },
        ...started.stop,
        { name: 'ops', run: async () => ops?.close() },
      ],
    })
  } catch (err) {
    failedToStart(options.name, err)
  }
}

/** The variables every gRPC service with a database reads (commonEnv, grpcServerEnv, postgresEnv). */
export interface GrpcServiceConfig extends ServiceConfig {
  TLS_TRUST_DOMAIN: string
  GRPC_REFLECTION_CALLERS: string
  METRICS_PORT: number
  GRPC_HOST: string
  GRPC_PORT: number
  HEALTH_PORT: number
  DATABASE_URL: string
  DATABASE_POOL_MAX: number
  DATABASE_STATEMENT_TIMEOUT_MS: number
  DATABASE_MIGRATE: boolean
}

export interface ServiceContext<C> extends RuntimeContext<C> {
  pool: Pool
}

/**
 * What a service's server is built around, from its context: the callers and forwarders its own
 * variables list (`CATALOG_ALLOWED_CALLERS`, `CATALOG_FORWARDERS`), the reflection callers, the
 * trust domain, its certificates, logger and metrics.
 */
export function serverDeps(
  ctx: RuntimeContext<GrpcServiceConfig>,
  access: { callers: string; forwarders: string },
): ServiceServerDeps {
  return {
    log: ctx.log,
    metrics: ctx.metrics,
    tls: ctx.tls,
    trustDomain: ctx.config.TLS_TRUST_DOMAIN,
    callers: list(access.callers),
    forwarders: list(access.forwarders),
    reflection: list(ctx.config.GRPC_REFLECTION_CALLERS),
  }
}

/**
 * runService for a gRPC service with a database: migrate, open the pool (checked by readiness),
 * let the service build its server and start its workers, listen; on SIGTERM drain calls, stop
 * the workers, close the pool.
 */
export async function runGrpcService<C extends GrpcServiceConfig>(options: {
  name: string
  loadConfig: () => C
  migrationsDir: string
  start: (
    ctx: ServiceContext<C>,
  ) => Promise<{ server: PlatformGrpcServer; workers?: ShutdownStep[]; checks?: Record<string, Check> }>
}): Promise<void> {
  await runService({
    name: options.name,
    loadConfig: options.loadConfig,
    start: async (ctx) => {
      const { config, log, metrics } = ctx
      if (config.DATABASE_MIGRATE) await migrate(config.DATABASE_URL, options.migrationsDir, log)
      const pool = createPool(
        {
          url: config.DATABASE_URL,
          max: config.DATABASE_POOL_MAX,
          statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
          applicationName: config.SERVICE_NAME,
        },
        log,
      )
      poolMetrics(pool, metrics)
      const { server, workers = [], checks = {} } = await options.start({ ...ctx, pool })
      return {
        checks: { postgres: async () => void (await pool.query('SELECT 1')), ...checks },
        async listen() {
          await server.listen({ host: config.GRPC_HOST, port: config.GRPC_PORT, healthPort: config.HEALTH_PORT })
          server.setServing(true)
          return {}
        },
        stop: [
          { name: 'grpc', run: () => server.shutdown(config.SHUTDOWN_TIMEOUT_MS) },
          ...workers,
          { name: 'postgres', run: () => pool.end() },
        ],
      }
    },
  })
}

/**
 * What the migrations Job runs (`node src/migrate.ts`) before an install or upgrade rolls out:
 * migrate this service's database and exit 0, with only DATABASE_URL (and the common variables)
 * to configure. Replicas then start with DATABASE_MIGRATE=false.
 */
export async function runMigrations(options: { name: string; migrationsDir: string }): Promise<void> {
  await runTask(`${options.name} migrations`, async () => {
    const config = loadConfig(Type.Object({ ...commonEnv, DATABASE_URL: postgresEnv.DATABASE_URL }))
    const log = createLogger({ name: config.SERVICE_NAME, level: config.LOG_LEVEL })
    const applied = await migrate(config.DATABASE_URL, options.migrationsDir, log)
    log.info({ applied: applied.length }, `${options.name} database migrated`)
  })
}

/**
 * A one-shot entry point (what a Job or CronJob runs): the task resolves and the process exits 0
 * once it has closed what it opened, or it throws and the process exits 1 with one line naming
 * the problem. A task may set `process.exitCode` itself to report a partial failure.
 */
export async function runTask(name: string, task: () => Promise<void>): Promise<void> {
  try {
    await task()
  } catch (err) {
    fail(`${name} failed`, err)
  }
}

function failedToStart(name: string, err: unknown): never {
  fail(`${name} failed to start`, err)
}

function fail(what: string, err: unknown): never {
  // A bad configuration or credentials the brokers refuse are the operator's to fix: say what is
  // wrong, without a stack trace.
  const message = isPlatformError(err)
    ? err.message
    : (kafkaAccessProblem(err) ?? (err instanceof Error ? (err.stack ?? err.message) : String(err)))
  process.stderr.write(`${what}: ${message}\n`)
  process.exit(1)
}
