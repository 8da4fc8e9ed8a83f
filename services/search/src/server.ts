import { fileURLToPath } from 'node:url'
import type { Logger, Metrics, PlatformGrpcServer, Pool, TlsFiles } from '@catalog/kit'
import { createGrpcServer, implement } from '@catalog/kit'
import type { search } from '@catalog/proto'
import { loadSearch } from '@catalog/proto'
import type { ExpensiveLimits } from './query/expensive-limit.ts'
import { createExpensiveLimit } from './query/expensive-limit.ts'
import { searchHandlers } from './query/search-service.ts'
import { COUNT_CAP } from './query/search-sql.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url))

export interface SearchDeps {
  pool: Pool
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
  statementTimeoutMs: number
  expensiveLimits: ExpensiveLimits
  /** Matches counted exactly on a first page; default 10,000. */
  countCap?: number
  /** A pattern the index cannot narrow is refused in a tenant with more items; default 50,000. */
  patternScanMaxItems?: number
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
      searchHandlers(deps.pool, {
        statementTimeoutMs: deps.statementTimeoutMs,
        countCap: deps.countCap ?? COUNT_CAP,
        patternScanMaxItems: deps.patternScanMaxItems ?? 50_000,
        expensive: createExpensiveLimit(deps.expensiveLimits, deps),
      }),
    ),
  )
  return server
}
