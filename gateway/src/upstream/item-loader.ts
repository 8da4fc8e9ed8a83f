import { currentTraceparent, isServiceError } from '@catalog/kit'
import type { catalog } from '@catalog/proto'
import { status } from '@grpc/grpc-js'
import type { FastifyRequest } from 'fastify'
import type { Backend } from './backend.ts'
import { callOptions } from './call-options.ts'

type Catalog = Backend<catalog.CatalogServiceDefinition>
type Item = catalog.Item__Output

interface Waiting {
  id: string
  request: FastifyRequest
  resolve: (item: Item | null) => void
  reject: (err: unknown) => void
}

/** What BatchGetItems takes at most. */
const MAX_IDS = 100
/** The ids the catalog accepts; any other goes alone, so its INVALID_ARGUMENT stays its own. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The item GET /v1/items/{id} reads, as GetItem answers it, with the reads of one caller (tenant,
 * subject and scopes: the principal the catalog receives) that arrive in the same turn of the
 * event loop sent as one BatchGetItems (the DataLoader pattern): at load, one gRPC call and one
 * query instead of one per request. A read alone in its turn is a plain GetItem, as before.
 *
 * Every caller gets what its own GetItem would have given: an id the batch finds missing is asked
 * again with GetItem (so its 404 is the catalog's own); a batch refused as invalid, or past the
 * earliest deadline of its callers, leaves each caller to its own GetItem (within its own
 * deadline); any other failure of the batch is each caller's failure. The batch carries its first
 * caller's request id and traceparent. A request whose trace is recorded is never batched, so its
 * trace holds its own catalog call.
 */
export function createItemLoader(catalogBackend: Catalog) {
  /** This turn's reads, by caller; a caller's reads past MAX_IDS go to the next of its groups. */
  let waiting = new Map<string, Waiting[]>()
  let full: Waiting[][] = []
  let scheduled = false

  const getItem = (request: FastifyRequest, id: string): Promise<Item | null> =>
    catalogBackend.call('GetItem', { id }, callOptions(request, true)).then((response) => response.item)

  const alone = (w: Waiting) => {
    try {
      getItem(w.request, w.id).then(w.resolve, w.reject)
    } catch (err) {
      w.reject(err)
    }
  }

  const batch = (group: Waiting[]) => {
    const first = group[0] as Waiting
    let options: ReturnType<typeof callOptions>
    try {
      options = callOptions(first.request, true)
    } catch (err) {
      for (const w of group) w.reject(err)
      return
    }
    for (const w of group) {
      if (w.request.deadline >= options.deadline) continue
      options.deadline = w.request.deadline
      options.clientDeadline = w.request.deadlineChosen
    }
    const ids = [...new Set(group.map((w) => w.id))]
    catalogBackend.call('BatchGetItems', { ids }, options).then(
      ({ items }) => {
        const found = new Map(items.map((item) => [item.id, item]))
        for (const w of group) {
          const item = found.get(w.id.toLowerCase())
          if (item) w.resolve(item)
          else alone(w)
        }
      },
      (err: unknown) => {
        const code = isServiceError(err) ? err.code : undefined
        for (const w of group) {
          const own =
            code === status.INVALID_ARGUMENT || (code === status.DEADLINE_EXCEEDED && w.request.deadline > options.deadline)
          if (own) alone(w)
          else w.reject(err)
        }
      },
    )
  }

  const flush = () => {
    scheduled = false
    const groups = [...full, ...waiting.values()]
    waiting = new Map()
    full = []
    for (const group of groups) {
      if (group.length === 1) alone(group[0] as Waiting)
      else batch(group)
    }
  }

  return {
    /** The item `id` for the caller of `request`, or the error GetItem would give. */
    get(request: FastifyRequest, id: string): Promise<Item | null> {
      const principal = request.principal
      if (!principal || !UUID.test(id) || currentTraceparent() !== undefined) return getItem(request, id)
      const key = `${principal.tenant}\n${principal.subject}\n${principal.scopes.join(' ')}`
      return new Promise((resolve, reject) => {
        const group = waiting.get(key)
        if (group) group.push({ id, request, resolve, reject })
        else waiting.set(key, [{ id, request, resolve, reject }])
        if (group?.length === MAX_IDS) {
          full.push(group)
          waiting.delete(key)
        }
        if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
      })
    },
  }
}

export type ItemLoader = ReturnType<typeof createItemLoader>
