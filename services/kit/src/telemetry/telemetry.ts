import { hostname } from 'node:os'
import type { SpanExporter } from '@opentelemetry/sdk-trace-base'
import { setTelemetryFlush } from './telemetry-state.ts'

/*
 * OpenTelemetry tracing, started by each process's src/main.ts before it imports anything else (the
 * service itself comes in through a dynamic import after this resolves), so the instrumented
 * modules are patched as they load: HTTP, Fastify, gRPC, pg and fetch. Kafka spans are the kit's
 * own (outbox relay, batch consumer): the relay publishes rows written by many requests in one
 * send, and each must continue its own writer's trace, which kafkajs instrumentation cannot do.
 *
 * Off unless an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); every other setting is the standard OTEL_* variable
 * (OTEL_TRACES_SAMPLER, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_RESOURCE_ATTRIBUTES, ...). Off, the
 * instrumentation is never loaded and W3C trace context still flows through the kit's own
 * propagation, so logs keep their trace ids.
 */

/** Modules whose instrumentation must see them load: the loader hook wraps only these. */
const INSTRUMENTED = ['node:http', 'node:https', 'http', 'https', 'fastify', '@grpc/grpc-js', 'pg', 'undici']
/** Probes and scrapes: every few seconds from kubelet and Prometheus, never worth a trace. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/
const UNTRACED_RPCS = ['Check', 'Watch']

export interface TelemetryOptions {
  /** service.name, unless OTEL_SERVICE_NAME says otherwise. */
  service: string
  /** Where spans go instead of OTLP (tests: an InMemorySpanExporter); forces tracing on. */
  exporter?: SpanExporter
  env?: NodeJS.ProcessEnv
  /** The public edge decides sampling itself instead of following a client's traceparent (edge-sampler.ts). */
  edge?: boolean
}

export interface Telemetry {
  enabled: boolean
  shutdown(): Promise<void>
}

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
}

export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env
  if (!options.exporter && !tracingEnabled(env)) return { enabled: false, shutdown: async () => {} }

  // Register the loader hook first, so the instrumentations below can wrap ES module imports too.
  const iitm = await import('import-in-the-middle/register-hooks.mjs')
  iitm.register({ include: INSTRUMENTED })
  const [{ startNodeSdk }, { SimpleSpanProcessor }, http, grpc, pg, undici, { FastifyOtelInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-grpc'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-undici'),
    import('@fastify/otel'),
  ])
  const sampler = options.edge ? (await import('./edge-sampler.ts')).edgeSampler(env) : undefined
  const sdk = startNodeSdk({
    resourceAttributes: {
      'service.name': env.OTEL_SERVICE_NAME || options.service,
      'service.version': env.SERVICE_VERSION || 'dev',
      'service.instance.id': env.K8S_POD_NAME || hostname(),
    },
    // Traces only: metrics are Prometheus's (prom-client), logs are stdout's.
    metricReaders: [],
    logRecordProcessors: [],
    ...(options.exporter ? { spanProcessors: [new SimpleSpanProcessor(options.exporter)] } : {}),
    ...(sampler ? { sampler } : {}),
    instrumentations: [
      new http.HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route) => UNTRACED_PATHS.test(route.url) }),
      new grpc.GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_RPCS }),
      // Statement text only (no parameter values): nothing a tenant wrote ends up in a trace.
      new pg.PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new undici.UndiciInstrumentation(),
    ],
  })
  const shutdown = () => sdk.shutdown().catch(() => undefined)
  setTelemetryFlush(shutdown)
  return { enabled: true, shutdown }
}
