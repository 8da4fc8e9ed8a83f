import { fileURLToPath } from 'node:url'
import type { Logger, Metrics, PlatformGrpcServer, TlsFiles } from '@catalog/kit'
import { createGrpcServer, implement } from '@catalog/kit'
import type { search } from '@catalog/proto'
import { loadSearch } from '@catalog/proto'
import type { SearchEngine } from './engine.ts'
import type { ExpensiveLimits } from './query/expensive-limit.ts'
import { createExpensiveLimit } from './query/expensive-limit.ts'
import { searchHandlers } from './query/search-service.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url))

export interface SearchDeps {
  /** What answers the queries: PostgreSQL or OpenSearch (see engine.ts). */
  engine: SearchEngine
  log: Logger
  metrics: Metrics
  tls: TlsFiles
  trustDomain: string
  /** Identities that may call search. */
  callers: readonly string[]
  /** Of those, the ones whose forwarded user principal is trusted; unset: the gateway alone. */
  forwarders?: readonly string[]
  /** Identities that may use server reflection; unset: nobody. */
  reflection?: readonly string[]
  expensiveLimits: ExpensiveLimits
}

/** The search gRPC server, built around the given dependencies, not yet listening. */
export function build(deps: SearchDeps): PlatformGrpcServer {
  const { definition, grpc } = loadSearch()
  const server = createGrpcServer({
    tls: deps.tls,
    trustDomain: deps.trustDomain,
    policy: {
      allow: { 'search.v1.SearchService': deps.callers },
      forwarders: deps.forwarders ?? ['gateway'],
      reflection: deps.reflection ?? [],
    },
    log: deps.log,
    metrics: deps.metrics,
    definitions: [definition],
  })
  server.addService(
    grpc.search.v1.SearchService.service,
    implement<search.SearchServiceHandlers>(
      deps.log,
      searchHandlers(deps.engine, createExpensiveLimit(deps.expensiveLimits, deps)),
    ),
  )
  return server
}
