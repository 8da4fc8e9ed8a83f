import type { Metrics } from '@catalog/kit'
import { traceIdOf } from '@catalog/kit'
import type { FastifyInstance } from 'fastify'
import { Counter, Histogram } from 'prom-client'
import { logsAt } from './request-logger.ts'

export interface RequestLogOptions {
  metrics: Metrics
  /** A request that took this long is logged at info, as a 5xx is; the others at debug. */
  slowMs: number
}

/**
 * Every request counted and timed by route and status (the RED metrics), and described in one log
 * line with its route, status, time, tenant and trace. The line is at debug: at full load writing
 * it for each request would cost the gateway a large share of its CPU, while the metrics count
 * every request anyway. A 5xx or a slow request is still logged at info.
 */
export function registerRequestLog(app: FastifyInstance, options: RequestLogOptions): void {
  const requests = new Counter({
    name: 'http_server_requests_total',
    help: 'HTTP requests answered, by route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [options.metrics.registry],
  })
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Time from the request to its response, by route.',
    labelNames: ['method', 'route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [options.metrics.registry],
  })
  app.addHook('onResponse', (request, reply, done) => {
    // Unmatched paths share one label, so scanning for URLs cannot blow up the series count.
    const route = request.routeOptions.url ?? 'unmatched'
    const { method } = request
    const status = reply.statusCode
    const elapsed = reply.elapsedTime
    requests.inc({ method, route, status })
    duration.observe({ method, route }, elapsed / 1000)
    const level = status >= 500 || elapsed >= options.slowMs ? 'info' : 'debug'
    if (!logsAt(request.log, level)) return done()
    request.log[level](
      {
        method,
        route,
        status,
        ms: Math.round(elapsed * 10) / 10,
        tenant: request.principal?.tenant,
        trace_id: traceIdOf(request.traceparent),
      },
      'request',
    )
    done()
  })
}
