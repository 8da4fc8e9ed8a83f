import type { CallContext, Pool } from '@catalog/kit'
import { currentTraceparent } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { contended, invalid, itemExists, itemNotFound, versionMismatch } from '../errors.ts'
import { toItem } from './item-row.ts'
import type { FieldPath, ItemValues } from './item-rules.ts'
import { checkExpectedVersion, checkFields, checkId, checkNaturalKey, FIELD_PATHS, LIMITS } from './item-rules.ts'
import {
  deleteItem,
  getLive,
  getLiveByKey,
  getManyLive,
  insertItem,
  republishItems,
  reviveItem,
  updateItem,
  upsertItem,
} from './item-store.ts'

// A write that finds the item changed under it between its statement and its read looks again,
// this many times at most (it takes a concurrent delete and revive to need a second look).
const RETRIES = 3
const REPUBLISH_MAX = 10_000
const NIL_UUID = '00000000-0000-0000-0000-000000000000'

type ItemHandlers = Omit<
  { [K in keyof catalog.CatalogServiceHandlers]: (req: never, ctx: CallContext) => Promise<unknown> },
  'ListPriceHistory'
>

/**
 * The item calls of catalog.v1.CatalogService. Validation comes first: nothing is written on any
 * error. Each write is one statement (item-store.ts); `onChange` runs after one commits (it wakes
 * the outbox relay).
 */
export function itemHandlers(pool: Pool, onChange: () => void = () => undefined) {
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
      const key = { tenant, source: req.source, externalId: req.external_id }
      const traceparent = currentTraceparent()
      // A deleted item's key may be taken again: it comes back with its id and a higher version.
      // Items are never removed, so a key that is neither free nor deleted is held by a live item.
      const row = (await insertItem(pool, key, values, traceparent)) ?? (await reviveItem(pool, key, values, traceparent))
      if (!row) throw itemExists(req.source, req.external_id)
      onChange()
      return { item: toItem(row) }
    },

    async UpsertItem(req: catalog.UpsertItemRequest__Output, ctx: CallContext): Promise<catalog.UpsertItemResponse> {
      const { tenant } = ctx.principal()
      checkNaturalKey(req.source, req.external_id)
      const values = checkFields(req.fields, FIELD_PATHS) as ItemValues
      const key = { tenant, source: req.source, externalId: req.external_id }
      for (let attempt = 0; attempt < RETRIES; attempt++) {
        const row = await upsertItem(pool, key, values, currentTraceparent())
        if (row) {
          onChange()
          return { item: toItem(row), created: row.old_id === null || row.old_deleted_at !== null, changed: true }
        }
        // Nothing written: the live item already holds these values. Unless a concurrent delete
        // came in between, it is the answer.
        const current = await getLiveByKey(pool, key)
        if (current) return { item: toItem(current), created: false, changed: false }
      }
      throw contended(`${req.source}/${req.external_id}`)
    },

    async UpdateItem(req: catalog.UpdateItemRequest__Output, ctx: CallContext): Promise<catalog.UpdateItemResponse> {
      const { tenant } = ctx.principal()
      const id = checkId(req.id)
      const expected = checkExpectedVersion(req.expected_version)
      const paths = maskPaths(req.update_mask?.paths ?? [])
      const patch = checkFields(req.fields, paths)
      const updated = await updateItem(pool, tenant, id, expected, patch, currentTraceparent())
      if (updated) {
        onChange()
        return { item: toItem(updated), changed: true }
      }
      // Nothing written: no live item, another version, or no change. The item as it is now says which.
      const current = await getLive(pool, tenant, id)
      if (!current) throw itemNotFound(id)
      if (expected !== '0' && expected !== current.version) throw versionMismatch(expected, current.version)
      return { item: toItem(current), changed: false }
    },

    async DeleteItem(req: catalog.DeleteItemRequest__Output, ctx: CallContext): Promise<catalog.DeleteItemResponse> {
      const { tenant } = ctx.principal()
      const id = checkId(req.id)
      const expected = checkExpectedVersion(req.expected_version)
      for (let attempt = 0; attempt < RETRIES; attempt++) {
        const deleted = await deleteItem(pool, tenant, id, expected, currentTraceparent())
        if (deleted) {
          onChange()
          return { version: deleted.version }
        }
        const current = await getLive(pool, tenant, id)
        if (!current) throw itemNotFound(id)
        if (expected !== '0' && expected !== current.version) throw versionMismatch(expected, current.version)
        // Revived at the expected version since the delete looked: try again.
      }
      throw contended(id)
    },

    async RepublishItems(req: catalog.RepublishItemsRequest__Output, ctx: CallContext): Promise<catalog.RepublishItemsResponse> {
      const { tenant } = ctx.principal()
      const after = req.after_id ? checkId(req.after_id, 'after_id') : NIL_UUID
      if (req.limit < 0 || req.limit > REPUBLISH_MAX)
        throw invalid([{ field: 'limit', description: `must be between 1 and ${REPUBLISH_MAX}` }])
      const limit = req.limit || 1_000
      const { published, last } = await republishItems(pool, tenant, after, limit)
      if (published > 0) onChange()
      return { published, next_after_id: published === limit && last ? last : '' }
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
