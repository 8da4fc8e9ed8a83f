import { fileURLToPath } from 'node:url'
import type { PlatformGrpcServer, Pool, ServiceServerDeps } from '@catalog/kit'
import { createServiceServer, implement } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import { itemHandlers } from './items/item-service.ts'
import { priceHandlers } from './prices/price-service.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url))

export interface CatalogDeps extends ServiceServerDeps {
  pool: Pool
  /** Runs after a write commits (the service wakes its outbox relay). */
  onChange?: () => void
}

/** The catalog's gRPC server, built around the given dependencies, not yet listening. */
export function build(deps: CatalogDeps): PlatformGrpcServer {
  const { definition, grpc } = loadCatalog()
  const server = createServiceServer('catalog.v1.CatalogService', definition, deps)
  server.addService(
    grpc.catalog.v1.CatalogService.service,
    implement<catalog.CatalogServiceHandlers>(deps.log, {
      ...itemHandlers(deps.pool, deps.onChange),
      ...priceHandlers(deps.pool),
    }),
  )
  return server
}
