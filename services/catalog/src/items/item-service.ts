import type { CallContext, Pool } from '@catalog/kit'
import { withTransaction } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { invalid, itemExists, itemNotFound, versionMismatch } from '../errors.ts'
import { toItem, valuesOf } from './item-row.ts'
import type { FieldPath, ItemValues } from './item-rules.ts'
import { checkExpectedVersion, checkFields, checkId, checkNaturalKey, FIELD_PATHS, LIMITS } from './item-rules.ts'
import { getLive, getManyLive, insertItem, lockById, lockByNaturalKey, replaceItem, softDelete } from './item-store.ts'

type ItemHandlers = Omit<
  { [K in keyof catalog.CatalogServiceHandlers]: (req: never, ctx: CallContext) => Promise<unknown> },
  'ListPriceHistory'
>

/** The item calls of catalog.v1.CatalogService. Validation comes first: nothing is written on any error. */
export function itemHandlers(pool: Pool) {
  return {
    async GetItem(req: catalog.GetItemRequest__Output, ctx: CallContext): Promise<catalog.GetItemResponse> {
      const { tenant } = ctx.principal()
      const id = checkId(req.id)
      const row = await getLive(pool, tenant, id)
      if (!row) throw itemNotFound(id)
      return { item: toItem(row) }
    },

    async BatchGetItems(req: catalog.BatchGetItemsRequest__Output, ctx: CallContext): Promise<catalog.BatchGetItemsResponse> {
      const { tenant } = ctx.principal()
      if (req.ids.length > LIMITS.batchIds)
        throw invalid([{ field: 'ids', description: `must be at most ${LIMITS.batchIds} ids` }])
      const ids = req.ids.map((id, i) => checkId(id, `ids[${i}]`))
      const found = new Map((await getManyLive(pool, tenant, ids)).map((row) => [row.id, row]))
      return {
        items: ids.flatMap((id) => {
          const row = found.get(id)
          return row ? [toItem(row)] : []
        }),
        missing_ids: ids.filter((id) => !found.has(id)),
      }
    },

    async CreateItem(req: catalog.CreateItemRequest__Output, ctx: CallContext): Promise<catalog.CreateItemResponse> {
      const { tenant } = ctx.principal()
      checkNaturalKey(req.source, req.external_id)
      const values = checkFields(req.fields, FIELD_PATHS) as ItemValues
      const row = await withTransaction(pool, async (c) => {
        const key = { tenant, source: req.source, externalId: req.external_id }
        const inserted = await insertItem(c, key, values)
        if (inserted) return inserted
        const existing = await lockByNaturalKey(c, tenant, req.source, req.external_id)
        if (!existing?.deleted_at) throw itemExists(req.source, req.external_id)
        // A deleted item's key may be taken again: it comes back with its id and a higher version.
        return (await replaceItem(c, existing, values)) ?? existing
      })
      return { item: toItem(row) }
    },

    async UpsertItem(req: catalog.UpsertItemRequest__Output, ctx: CallContext): Promise<catalog.UpsertItemResponse> {
      const { tenant } = ctx.principal()
      checkNaturalKey(req.source, req.external_id)
      const values = checkFields(req.fields, FIELD_PATHS) as ItemValues
      return withTransaction(pool, async (c) => {
        const key = { tenant, source: req.source, externalId: req.external_id }
        const inserted = await insertItem(c, key, values)
        if (inserted) return { item: toItem(inserted), created: true, changed: true }
        const existing = await lockByNaturalKey(c, tenant, req.source, req.external_id)
        if (!existing) throw itemNotFound(`${req.source}/${req.external_id}`)
        const updated = await replaceItem(c, existing, values)
        return { item: toItem(updated ?? existing), created: existing.deleted_at !== null, changed: updated !== undefined }
      })
    },

    async UpdateItem(req: catalog.UpdateItemRequest__Output, ctx: CallContext): Promise<catalog.UpdateItemResponse> {
      const { tenant } = ctx.principal()
      const id = checkId(req.id)
      const expected = checkExpectedVersion(req.expected_version)
      const paths = maskPaths(req.update_mask?.paths ?? [])
      const patch = checkFields(req.fields, paths)
      return withTransaction(pool, async (c) => {
        const current = await lockById(c, tenant, id)
        if (!current || current.deleted_at) throw itemNotFound(id)
        if (expected !== '0' && expected !== current.version) throw versionMismatch(expected, current.version)
        const updated = await replaceItem(c, current, { ...valuesOf(current), ...patch })
        return { item: toItem(updated ?? current), changed: updated !== undefined }
      })
    },

    async DeleteItem(req: catalog.DeleteItemRequest__Output, ctx: CallContext): Promise<catalog.DeleteItemResponse> {
      const { tenant } = ctx.principal()
      const id = checkId(req.id)
      const expected = checkExpectedVersion(req.expected_version)
      return withTransaction(pool, async (c) => {
        const current = await lockById(c, tenant, id)
        if (!current || current.deleted_at) throw itemNotFound(id)
        if (expected !== '0' && expected !== current.version) throw versionMismatch(expected, current.version)
        const deleted = await softDelete(c, current)
        return { version: deleted.version }
      })
    },
  } satisfies ItemHandlers
}

/** An empty mask replaces every field (PUT); otherwise only the named ones (PATCH). */
function maskPaths(paths: string[]): readonly FieldPath[] {
  if (paths.length === 0) return FIELD_PATHS
  const unknown = paths.filter((p) => !(FIELD_PATHS as readonly string[]).includes(p))
  if (unknown.length > 0) {
    throw invalid([
      { field: 'update_mask', description: `unknown paths ${unknown.join(', ')}; known: ${FIELD_PATHS.join(', ')}` },
    ])
  }
  return [...new Set(paths)] as FieldPath[]
}
