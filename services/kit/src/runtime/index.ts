/** A service's life: config, errors, the ops server, shutdown and the runtimes that tie them together. */
export {
  commonEnv,
  grpcServerEnv,
  kafkaConsumerEnv,
  kafkaEnv,
  kafkaSecurityEnv,
  list,
  loadConfig,
  postgresEnv,
  tlsRefreshEnv,
} from './config.ts'
export {
  ConfigError,
  codes,
  type FieldViolation,
  invalidArgument,
  isPlatformError,
  isQueryCanceled,
  isUnavailable,
  PlatformError,
} from './errors.ts'
export { handleShutdown, type ShutdownStep } from './lifecycle.ts'
export { type Check, type ReadinessCheck, readiness, type SoftCheck, startOpsServer } from './ops-server.ts'
export {
  type GrpcServiceConfig,
  type RuntimeContext,
  runGrpcService,
  runMigrations,
  runService,
  runTask,
  type ServiceConfig,
  type ServiceContext,
  type Started,
  serverDeps,
} from './service-main.ts'
