// The query side as a library, for the benchmark's direct-SQL baseline.
export { checkQuery } from './query-rules.ts'
export { searchSql } from './search-sql.ts'
