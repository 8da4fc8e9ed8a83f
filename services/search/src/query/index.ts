// The query side as a library, for the benchmark's direct-SQL baseline.
export { searchSql } from '../postgres/search-sql.ts'
export { patternPlan } from './pattern-plan.ts'
export { checkQuery } from './query-rules.ts'
