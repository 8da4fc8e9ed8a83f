/** gRPC: the server with its caller policy and health, the client, handlers, principals, status and cursors. */
export { CALLER_HEADER, type CallerPolicy } from './caller-policy.ts'
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
export { decodeCursor, encodeCursor } from './keyset-cursor.ts'
export { isTenantId, PRINCIPAL_HEADERS, type Principal, readPrincipal, writePrincipal } from './principal.ts'
export { errorCodeOf, fieldViolationsOf, isServiceError, toStatus } from './rpc-status.ts'
