import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@catalog/kit/testing'
import t from 'tap'
import { scanDrops } from '../src/drops/daily-drops.ts'
import { fileSource } from '../src/sources/file-source.ts'
import { startTestIngestion } from '../src/testing.ts'
import { as, finished, ingestionClient, item, ndjson, writeInput } from './helpers.ts'

t.test('a drop folder scan starts each file once, however often it runs', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const tenant = `drops-${Date.now()}`
  await writeInput(ing.fileRoot, tenant, 'daily/2026-11-20.ndjson', ndjson([item(1), item(2)]))
  await writeInput(ing.fileRoot, tenant, 'daily/2026-11-21.ndjson', ndjson([item(3)]))
  await writeInput(ing.fileRoot, tenant, 'daily/notes.txt', 'not a catalog file')
  const files = fileSource(ing.fileRoot)
  const deps = {
    list: (prefix: string) => files.list(new URL(prefix), ing.areaOf(tenant)),
    start: (uri: string) => ing.jobs.startFile(tenant, uri, ''),
    log: silentLogger(),
  }
  const daily = `file:///tenants/${tenant}/daily/`
  t.same(await scanDrops(deps, daily), { started: 2, skipped: 0, failed: 0 })
  t.same(await scanDrops(deps, daily), { started: 0, skipped: 2, failed: 0 }, 'a second scan starts nothing')

  await writeInput(ing.fileRoot, tenant, 'daily/2026-11-22.ndjson', ndjson([item(4)]))
  t.same(await scanDrops(deps, daily), { started: 1, skipped: 2, failed: 0 }, 'the new drop, only')
  const { jobs } = await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(tenant))
  t.same(jobs.map((j) => j.uri).sort(), [`${daily}2026-11-20.ndjson`, `${daily}2026-11-21.ndjson`, `${daily}2026-11-22.ndjson`])
  for (const j of jobs) t.equal((await finished(client, tenant, j.id)).state, 'JOB_STATE_COMPLETED')
})

t.test('a drop scan does not read an unchanged file again; a changed file gets a new content key', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ingest-keys-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'tenants', 'acme', 'daily'), { recursive: true })
  const path = join(root, 'tenants', 'acme', 'daily', 'a.ndjson')
  await writeFile(path, ndjson([item(1)]))
  // A dropped file has settled by the time a scan sees it: one just written is hashed each time.
  const anHourAgo = new Date(Date.now() - 3_600_000)
  await utimes(path, anHourAgo, anHourAgo)
  const hashed: string[] = []
  const files = fileSource(root, {
    hashFile: async (p) => {
      hashed.push(p)
      return createHash('sha256')
        .update(await readFile(p))
        .digest('hex')
    },
  })
  const keys = async () => {
    const uris = await files.list(new URL('file:///tenants/acme/daily/'), 'tenants/acme/')
    return Promise.all(uris.map(async (uri) => (await files.find(new URL(uri), 'tenants/acme/')).contentKey))
  }

  const [first] = await keys()
  t.same(await keys(), [first], 'the second scan finds the same key')
  t.equal(hashed.length, 1, 'without reading the file again')

  // Rewritten in place with as many bytes: only its times tell it apart.
  await writeFile(path, ndjson([item(3)]))
  t.equal((await readFile(path)).length, ndjson([item(1)]).length)
  await utimes(path, anHourAgo, new Date(Date.now() - 1_800_000))
  const [second] = await keys()
  t.not(second, first, 'a changed file gets a new key')
  t.equal(
    second,
    `sha256:${createHash('sha256')
      .update(await readFile(path))
      .digest('hex')}`,
  )
  t.equal(hashed.length, 2)
  t.same(await keys(), [second], 'and is remembered in turn')
  t.equal(hashed.length, 2)
})
