import type { CallContext } from '@catalog/kit'
import type { search } from '@catalog/proto'
import type { SearchEngine } from '../engine.ts'
import type { ExpensiveLimit } from './expensive-limit.ts'
import { isExpensive } from './expensive-limit.ts'
import { checkQuery } from './query-rules.ts'

/** The Search RPC: one validation for every engine, the expensive searches under their limits. */
export function searchHandlers(engine: SearchEngine, expensive: ExpensiveLimit) {
  return {
    async Search(req: search.SearchRequest__Output, ctx: CallContext): Promise<search.SearchResponse> {
      const { tenant } = ctx.principal()
      const query = checkQuery(req)
      const run = () => engine.search(tenant, query)
      return isExpensive(query) ? expensive.run(tenant, run) : run()
    },
  }
}
