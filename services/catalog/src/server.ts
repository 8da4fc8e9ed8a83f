import { fileURLToPath } from 'node:url'
import type { CallerPolicy, Logger, Metrics, PlatformGrpcServer, Pool, TlsFiles } from '@catalog/kit'
import { createGrpcServer, implement } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import { itemHandlers } from './items/item-service.ts'
import { priceHandlers } from './prices/price-service.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url))

export interface CatalogDeps {
  pool: Pool
  log: Logger
  metrics: Metrics
  tls: TlsFiles
  trustDomain: string
  /** Identities that may call the catalog. */
  callers: readonly string[]
  /** Of those, the ones whose forwarded user principal is trusted; unset: the gateway alone. */
  forwarders?: readonly string[]
  /** Identities that may use server reflection; unset: nobody. */
  reflection?: readonly string[]
  /** Runs after a write commits (the service wakes its outbox relay). */
  onChange?: () => void
}

/** The catalog's gRPC server, built around the given dependencies, not yet listening. */
export function build(deps: CatalogDeps): PlatformGrpcServer {
  const { definition, grpc } = loadCatalog()
  const policy: CallerPolicy = {
    allow: { 'catalog.v1.CatalogService': deps.callers },
    forwarders: deps.forwarders ?? ['gateway'],
    reflection: deps.reflection ?? [],
  }
  const server = createGrpcServer({
    tls: deps.tls,
    trustDomain: deps.trustDomain,
    policy,
    log: deps.log,
    metrics: deps.metrics,
    definitions: [definition],
  })
  server.addService(
    grpc.catalog.v1.CatalogService.service,
    implement<catalog.CatalogServiceHandlers>(deps.log, {
      ...itemHandlers(deps.pool, deps.onChange),
      ...priceHandlers(deps.pool),
    }),
  )
  return server
}
