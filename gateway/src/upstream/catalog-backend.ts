import type { Logger, Metrics, TlsFiles } from '@catalog/kit'
import { createUnaryClient } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import { Histogram } from 'prom-client'
import type { GatewayConfig } from '../config.ts'
import type { Backend } from './backend.ts'
import { createBackend } from './backend.ts'

export function upstreamLatency(metrics: Metrics): Histogram<'backend' | 'method' | 'code'> {
  return new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'gRPC calls from the gateway to its backends, by backend, method and status.',
    labelNames: ['backend', 'method', 'code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  })
}

/** The catalog as the gateway calls it: mTLS with the gateway's own certificate, deadlines, retries, a breaker. */
export function catalogBackend(
  config: Pick<
    GatewayConfig,
    'CATALOG_ADDR' | 'REQUEST_TIMEOUT_MS' | 'UPSTREAM_RETRIES' | 'BREAKER_ERROR_PERCENT' | 'BREAKER_VOLUME' | 'BREAKER_RESET_MS'
  >,
  deps: { tls: TlsFiles; log: Logger; latency: Histogram<'backend' | 'method' | 'code'> },
): Backend<catalog.CatalogServiceDefinition> {
  const client = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
    address: config.CATALOG_ADDR,
    tls: deps.tls,
    defaultTimeoutMs: config.REQUEST_TIMEOUT_MS,
  })
  return createBackend(client, {
    name: 'catalog',
    retries: config.UPSTREAM_RETRIES,
    breaker: {
      errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
      volumeThreshold: config.BREAKER_VOLUME,
      resetTimeout: config.BREAKER_RESET_MS,
    },
    log: deps.log,
    latency: deps.latency,
  })
}
