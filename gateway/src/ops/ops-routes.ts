import type { Check } from '@catalog/kit'
import { readiness } from '@catalog/kit'
import type { FastifyInstance } from 'fastify'

/**
 * `/healthz` (the process answers) and `/readyz` (its backends do) on the public port, where the
 * chart's kubelet probes ask. The metrics are not here: they are on the ops port (METRICS_PORT),
 * which the ingress does not route to.
 */
export function opsRoutes(app: FastifyInstance, options: { checks: Record<string, Check>; isShuttingDown: () => boolean }): void {
  // Probes are the platform's own traffic: no budgets, no tokens.
  const config = { rateLimit: { ip: false, tenant: false } } as const
  app.get('/healthz', { schema: { hide: true }, logLevel: 'warn', config }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { hide: true }, logLevel: 'warn', config }, async (_request, reply) => {
    const result = await readiness(options.checks, options.isShuttingDown())
    return reply.code(result.ready ? 200 : 503).send(result)
  })
}
