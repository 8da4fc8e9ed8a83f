// The gateway's own pipeline in a process of its own, as src/main.ts starts it (telemetry first,
// the JWKS-verified JWT, rate limits in memory, logs, metrics, the backend's breaker and latency
// histogram), in front of a catalog stub whose gRPC client answers every GetItem and
// BatchGetItems at once with one fixed item: what the gateway costs by itself, without gRPC, mTLS
// or PostgreSQL behind it. Started by scripts/bench/gateway.ts with the gateway's environment.
import type { UnaryClient } from '@catalog/kit'
import { startTelemetry } from '@catalog/kit/telemetry'
import type { catalog } from '@catalog/proto'

await startTelemetry({ service: 'gateway' })
const { createLogger, createMetrics } = await import('@catalog/kit')
const gateway = await import('@catalog/gateway/testing')

const config = gateway.loadGatewayConfig()
const log = createLogger({ name: config.SERVICE_NAME, level: config.LOG_LEVEL })
const metrics = createMetrics({ service: config.SERVICE_NAME })
const now = { seconds: String(Math.floor(Date.now() / 1000)), nanos: 0 }
const item: catalog.Item__Output = {
  id: '',
  tenant: 'bench',
  source: 'bench',
  external_id: 'e1',
  title: 'Item 1',
  description: '',
  tags: ['bench'],
  attributes: { fields: {} },
  price: { amount_minor: '100', currency: 'EUR' },
  published_at: null,
  created_at: now,
  updated_at: now,
  version: '1',
}
const stubClient = {
  async call(method: string, request: { id: string; ids: string[] }) {
    if (method === 'GetItem') return { item: { ...item, id: request.id } }
    if (method === 'BatchGetItems') return { items: request.ids.map((id) => ({ ...item, id })), missing_ids: [] }
    throw new Error(`the stub catalog answers GetItem and BatchGetItems only, not ${method}`)
  },
  close() {},
} as unknown as UnaryClient<catalog.CatalogServiceDefinition>
const catalogStub = gateway.createBackend(stubClient, {
  name: 'catalog',
  retries: config.UPSTREAM_RETRIES,
  breaker: {
    errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
    volumeThreshold: config.BREAKER_VOLUME,
    resetTimeout: config.BREAKER_RESET_MS,
  },
  log,
  latency: gateway.upstreamLatency(metrics),
})
const authenticator = gateway.createAuthenticator(gateway.authOptions(config), log)
const store = gateway.memoryStore()
const app = await gateway.build({
  config,
  log,
  metrics,
  verifier: authenticator,
  catalog: catalogStub,
  checks: {},
  rateLimit: (instance) =>
    gateway.registerRateLimit(instance, {
      store,
      failOpen: config.RATE_LIMIT_FAIL_OPEN,
      log,
      metrics,
      defaults: gateway.rateLimitDefaults(config),
      tenantOf: (request) => request.principal?.tenant,
    }),
})
await app.listen({ host: config.HOST, port: config.PORT })
log.info({ port: (app.server.address() as { port: number }).port }, 'gateway ready')
process.once('SIGTERM', () => {
  void app.close().then(() => {
    catalogStub.shutdown()
    authenticator.close()
    process.exit(0)
  })
})
