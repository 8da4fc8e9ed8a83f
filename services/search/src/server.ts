import { fileURLToPath } from 'node:url'
import type { PlatformGrpcServer, ServiceServerDeps } from '@catalog/kit'
import { createServiceServer, implement } from '@catalog/kit'
import type { search } from '@catalog/proto'
import { loadSearch } from '@catalog/proto'
import type { SearchEngine } from './engine.ts'
import type { ExpensiveLimits } from './query/expensive-limit.ts'
import { createExpensiveLimit } from './query/expensive-limit.ts'
import { searchHandlers } from './query/search-service.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url))

export interface SearchDeps extends ServiceServerDeps {
  /** What answers the queries: PostgreSQL or OpenSearch (see engine.ts). */
  engine: SearchEngine
  expensiveLimits: ExpensiveLimits
}

/** The search gRPC server, built around the given dependencies, not yet listening. */
export function build(deps: SearchDeps): PlatformGrpcServer {
  const { definition, grpc } = loadSearch()
  const server = createServiceServer('search.v1.SearchService', definition, deps)
  server.addService(
    grpc.search.v1.SearchService.service,
    implement<search.SearchServiceHandlers>(
      deps.log,
      searchHandlers(deps.engine, createExpensiveLimit(deps.expensiveLimits, deps)),
    ),
  )
  return server
}
