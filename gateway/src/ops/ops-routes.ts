import type { Check, Metrics } from '@catalog/kit'
import { readiness } from '@catalog/kit'
import type { FastifyInstance } from 'fastify'
import { Counter, Histogram } from 'prom-client'

/** `/healthz` (the process answers), `/readyz` (its backends do), `/metrics`, and RED metrics per route. */
export function opsRoutes(
  app: FastifyInstance,
  options: { metrics: Metrics; checks: Record<string, Check>; isShuttingDown: () => boolean },
): void {
  const registry = options.metrics.registry
  const requests = new Counter({
    name: 'http_server_requests_total',
    help: 'HTTP requests answered, by route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Time from the request to its response, by route.',
    labelNames: ['method', 'route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched paths share one label, so scanning for URLs cannot blow up the series count.
    const route = request.routeOptions.url ?? 'unmatched'
    requests.inc({ method: request.method, route, status: reply.statusCode })
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000)
  })

  // Probes and scrapes are the platform's own traffic: no budgets, no tokens.
  const config = { rateLimit: { ip: false, tenant: false } } as const
  app.get('/healthz', { schema: { hide: true }, logLevel: 'warn', config }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { hide: true }, logLevel: 'warn', config }, async (_request, reply) => {
    const result = await readiness(options.checks, options.isShuttingDown())
    return reply.code(result.ready ? 200 : 503).send(result)
  })
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn', config }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  )
}
