import type { Logger, Metrics, TlsFiles } from '@catalog/kit'
import { createUnaryClient } from '@catalog/kit'
import type { catalog, ingestion, search } from '@catalog/proto'
import { loadCatalog, loadIngestion, loadSearch } from '@catalog/proto'
import type * as grpc from '@grpc/grpc-js'
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

type BackendConfig = Pick<
  GatewayConfig,
  'REQUEST_TIMEOUT_MS' | 'UPSTREAM_RETRIES' | 'BREAKER_ERROR_PERCENT' | 'BREAKER_VOLUME' | 'BREAKER_RESET_MS'
>
type BackendDeps = { tls: TlsFiles; log: Logger; latency: Histogram<'backend' | 'method' | 'code'> }

/** A backend as the gateway calls it: mTLS with the gateway's own certificate, deadlines, retries, a breaker. */
function grpcBackend<D extends grpc.ServiceDefinition>(
  name: string,
  definition: D,
  address: string,
  config: BackendConfig,
  deps: BackendDeps,
): Backend<D> {
  const client = createUnaryClient(definition, { address, tls: deps.tls, defaultTimeoutMs: config.REQUEST_TIMEOUT_MS })
  return createBackend(client, {
    name,
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

export function catalogBackend(
  config: BackendConfig & { CATALOG_ADDR: string },
  deps: BackendDeps,
): Backend<catalog.CatalogServiceDefinition> {
  return grpcBackend('catalog', loadCatalog().grpc.catalog.v1.CatalogService.service, config.CATALOG_ADDR, config, deps)
}

export function searchBackend(
  config: BackendConfig,
  address: string,
  deps: BackendDeps,
): Backend<search.SearchServiceDefinition> {
  return grpcBackend('search', loadSearch().grpc.search.v1.SearchService.service, address, config, deps)
}

export function ingestionBackend(
  config: BackendConfig,
  address: string,
  deps: BackendDeps,
): Backend<ingestion.IngestionServiceDefinition> {
  return grpcBackend('ingestion', loadIngestion().grpc.ingestion.v1.IngestionService.service, address, config, deps)
}
