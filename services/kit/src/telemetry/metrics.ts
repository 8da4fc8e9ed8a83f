import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

/** One registry per process (not prom-client's global), so tests can build many services side by side. */
export interface Metrics {
  registry: Registry
  grpcHandled: Counter<'service' | 'method' | 'code'>
  grpcDuration: Histogram<'service' | 'method'>
}

export function createMetrics(options: { service: string; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry()
  registry.setDefaultLabels({ app: options.service })
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry })
  return {
    registry,
    grpcHandled: new Counter({
      name: 'grpc_server_handled_total',
      help: 'gRPC calls completed on the server, by status code.',
      labelNames: ['service', 'method', 'code'],
      registers: [registry],
    }),
    grpcDuration: new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time from the start of a gRPC call to its status.',
      labelNames: ['service', 'method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  }
}
