import { PlatformError } from '@catalog/kit'
import { startStubService } from '@catalog/kit/testing'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import { status } from '@grpc/grpc-js'

interface Tap {
  teardown(fn: () => unknown): void
}

/** The id whose GetItem fails with gRPC status `code` (and a message no client may see). */
export const idFailingWith = (code: number) => `00000000-0000-4000-8000-${String(code).padStart(12, '0')}`
export const SLOW_ID = '00000000-0000-4000-8000-999999999999'
/** The id whose GetItem answers NOT_FOUND, but only after LATE_MS. */
export const LATE_ID = '00000000-0000-4000-8000-888888888888'
export const LATE_MS = 50
export const SECRET = 'db password is hunter2'

/**
 * A stand-in catalog for what the real one cannot be made to do on demand: answer every gRPC
 * status, hang past a deadline. It runs over the same mTLS and caller policy as the real one.
 */
export async function startFakeCatalog(t: Tap) {
  const calls = { GetItem: 0, BatchGetItems: 0, CreateItem: 0 }
  const fail = (code: number) => {
    throw new PlatformError('FAKE_ERR', code, code >= 1 && code !== status.INTERNAL ? `fake ${status[code]}` : SECRET)
  }
  const { definition, grpc } = loadCatalog()
  const { server, port } = await startStubService<catalog.CatalogServiceHandlers>(
    { identity: 'catalog', name: 'catalog.v1.CatalogService', definition, service: grpc.catalog.v1.CatalogService.service },
    {
      async GetItem(req, ctx) {
        calls.GetItem++
        if (req.id === SLOW_ID) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
        if (req.id === LATE_ID) {
          await new Promise((resolve) => setTimeout(resolve, LATE_MS))
          return fail(status.NOT_FOUND)
        }
        return fail(Number(req.id.slice(-12)))
      },
      async CreateItem() {
        calls.CreateItem++
        return fail(status.UNAVAILABLE)
      },
      // As GetItem would, for many: NOT_FOUND ids are missing; any other status fails the batch.
      async BatchGetItems(req, ctx) {
        calls.BatchGetItems++
        if (req.ids.includes(SLOW_ID)) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
        const failing = req.ids.map((id) => Number(id.slice(-12))).find((code) => code !== status.NOT_FOUND)
        if (failing !== undefined) fail(failing)
        return { items: [], missing_ids: req.ids }
      },
    },
  )
  t.teardown(() => server.shutdown(500))
  return { address: `localhost:${port}`, calls }
}
