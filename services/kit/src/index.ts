export { SpanKind, SpanStatusCode } from '@opentelemetry/api'
export { CALLER_HEADER, type CallerPolicy } from './caller-policy.ts'
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
export {
  type CallOptions,
  type ClientOptions,
  createUnaryClient,
  type RequestOf,
  type ResponseOf,
  type UnaryClient,
  type UnaryKeys,
} from './grpc-client.ts'
export {
  createGrpcServer,
  createServiceServer,
  type GrpcServerOptions,
  type PlatformGrpcServer,
  type ServiceServerDeps,
} from './grpc-server.ts'
export { type AsyncHandlers, type CallContext, implement } from './handlers.ts'
export { grpcHealthCheck } from './health-client.ts'
export { type AclGrant, aclsOf, ensureAcls, type PlatformPrincipals, platformAcls } from './kafka/acls.ts'
export {
  type BatchConsumerOptions,
  type BatchOrigin,
  type HandledBatch,
  PoisonMessageError,
  startBatchConsumer,
} from './kafka/batch-consumer.ts'
export { type CloudEvent, cloudEventHeaders, deadLetterId, readCloudEvent } from './kafka/cloud-events.ts'
export {
  type Consumer,
  createKafka,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
  kafkaAccessProblem,
  kafkaCheck,
  type Producer,
} from './kafka/kafka-client.ts'
export {
  checkKafkaSecurity,
  type KafkaSecurityConfig,
  kafkaConnection,
  kafkaSecurityProblems,
} from './kafka/kafka-security.ts'
export { createIdempotentProducer } from './kafka/producer.ts'
export { ensureTopics, PLATFORM_TOPICS, type TopicSpec } from './kafka/topics.ts'
export { decodeCursor, encodeCursor } from './keyset-cursor.ts'
export { handleShutdown, type ShutdownStep } from './lifecycle.ts'
export { createLogger, type Logger } from './log.ts'
export { createMetrics, type Metrics } from './metrics.ts'
export { type Check, type ReadinessCheck, readiness, type SoftCheck, startOpsServer } from './ops-server.ts'
export { createPool, migrate, type Pool, type PoolClient, withTransaction } from './postgres.ts'
export { isTenantId, PRINCIPAL_HEADERS, type Principal, readPrincipal, writePrincipal } from './principal.ts'
export { errorCodeOf, fieldViolationsOf, isServiceError, toStatus } from './rpc-status.ts'
export { certificateMetrics, poolMetrics } from './runtime-metrics.ts'
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
export { identityOf, readTlsFiles, type TlsFiles, type TlsPaths } from './tls.ts'
export { channelCredentials, onTlsReloadRejected, type RejectedListener, serverCredentials } from './tls-credentials.ts'
export {
  childTraceparent,
  currentTraceparent,
  inSpan,
  linkTo,
  parseTraceparent,
  startSpan,
  traceIdOf,
  withTraceparent,
} from './trace-context.ts'
