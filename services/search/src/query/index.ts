// The query side as a library, for the benchmark's direct-SQL baseline.
export { patternPlan } from './pattern-plan.ts'
export { checkQuery } from './query-rules.ts'
export { searchSql } from './search-sql.ts'
