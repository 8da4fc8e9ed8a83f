/*
 * The gateway's parts for harnesses outside this package (scripts/bench/gateway-stub.ts): the app
 * and the parts src/compose.ts builds it from, so a bench can put stand-ins behind the real pipeline.
 */
export { createAuthenticator } from './auth/authenticator.ts'
export { authOptions, loadGatewayConfig, rateLimitDefaults } from './config.ts'
export { registerRateLimit } from './rate-limit/rate-limit-hooks.ts'
export { memoryStore } from './rate-limit/rate-limit-store.ts'
export { build } from './server.ts'
export { createBackend } from './upstream/backend.ts'
export { upstreamLatency } from './upstream/backends.ts'
