// The query side as a library, for the benchmark's direct-SQL baseline.
export { pageAndSummary } from '../postgres/postgres-search.ts'
export { searchSql } from '../postgres/search-sql.ts'
export { checkQuery, checkRequest } from './query-rules.ts'
