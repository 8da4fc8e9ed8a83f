import type { Pool } from '@catalog/kit'
import type { SearchEngine } from '../engine.ts'
import { applyChanges } from './apply-changes.ts'
import type { PostgresSearchOptions } from './postgres-search.ts'
import { runSearch } from './postgres-search.ts'

/**
 * The embedded engine: the search service's own PostgreSQL holds the index (see the migrations),
 * and the pool is the service's, closed by the runtime.
 */
export function createPostgresEngine(pool: Pool, options: PostgresSearchOptions): SearchEngine {
  return {
    name: 'postgres',
    search: (tenant, query) => runSearch(pool, tenant, query, options),
    apply: (changes) => applyChanges(pool, changes),
    ready: async () => void (await pool.query('SELECT 1')),
    close: async () => undefined,
  }
}
