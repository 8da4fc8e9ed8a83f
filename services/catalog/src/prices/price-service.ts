import type { CallContext, Pool } from '@catalog/kit'
import { decodeCursor, encodeCursor } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { toTimestamp } from '@catalog/proto'
import { invalid, itemNotFound } from '../errors.ts'
import { checkId } from '../items/item-rules.ts'
import { getLive } from '../items/item-store.ts'
import { listPrices } from './price-store.ts'

export const PAGE = { default: 50, max: 500 } as const

export function priceHandlers(pool: Pool) {
  return {
    async ListPriceHistory(
      req: catalog.ListPriceHistoryRequest__Output,
      ctx: CallContext,
    ): Promise<catalog.ListPriceHistoryResponse> {
      const { tenant } = ctx.principal()
      const id = checkId(req.item_id, 'item_id')
      const size = req.page?.size ?? 0
      if (size < 0) throw invalid([{ field: 'page.size', description: 'must not be negative' }])
      const limit = Math.min(size || PAGE.default, PAGE.max)
      // The cursor names its item, so a cursor of one item cannot page through another.
      const before = req.page?.cursor
        ? decodeCursor(req.page.cursor, 'page.cursor', (v) => {
            const c = v as { i?: unknown; v?: unknown }
            return c.i === id && typeof c.v === 'string' && /^[1-9][0-9]{0,18}$/.test(c.v) ? c.v : undefined
          })
        : undefined
      if (!(await getLive(pool, tenant, id))) throw itemNotFound(id)
      const rows = await listPrices(pool, tenant, id, before, limit + 1)
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        prices: page.map((r) => ({
          item_id: r.item_id,
          item_version: r.item_version,
          price: r.amount_minor === null || r.currency === null ? null : { amount_minor: r.amount_minor, currency: r.currency },
          changed_at: toTimestamp(r.changed_at),
        })),
        page: { next_cursor: rows.length > limit && last ? encodeCursor({ i: id, v: last.item_version }) : '' },
      }
    },
  }
}
