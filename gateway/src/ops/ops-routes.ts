import type { Check, Metrics } from '@catalog/kit'
import { readiness } from '@catalog/kit'
import type { FastifyInstance } from 'fastify'

/** `/healthz` (the process answers), `/readyz` (its backends do) and `/metrics`. */
export function opsRoutes(
  app: FastifyInstance,
  options: { metrics: Metrics; checks: Record<string, Check>; isShuttingDown: () => boolean },
): void {
  const registry = options.metrics.registry
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
