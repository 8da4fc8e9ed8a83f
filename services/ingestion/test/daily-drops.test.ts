import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@catalog/kit/testing'
import t from 'tap'
import { scanDrops } from '../src/drops/daily-drops.ts'
import { contentKeyOf, fileSource } from '../src/sources/file-source.ts'
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

t.test('an unchanged file keeps its content key; a rewritten or replaced one gets a new one', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ingest-keys-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'tenants', 'acme', 'daily'), { recursive: true })
  const path = join(root, 'tenants', 'acme', 'daily', 'a.ndjson')
  await writeFile(path, ndjson([item(1)]))
  const anHourAgo = new Date(Date.now() - 3_600_000)
  await utimes(path, anHourAgo, anHourAgo)
  const files = fileSource(root)
  const keys = async () => {
    const uris = await files.list(new URL('file:///tenants/acme/daily/'), 'tenants/acme/')
    return Promise.all(uris.map(async (uri) => (await files.find(new URL(uri), 'tenants/acme/')).contentKey))
  }

  const [first] = await keys()
  t.same(await keys(), [first], 'the second scan finds the same key')
  t.equal(first, contentKeyOf(await stat(path, { bigint: true })), "made of the file's stat, not of its bytes")

  // Rewritten in place with as many bytes: only its times tell it apart.
  await writeFile(path, ndjson([item(3)]))
  t.equal((await readFile(path)).length, ndjson([item(1)]).length)
  await utimes(path, anHourAgo, new Date(Date.now() - 1_800_000))
  const [second] = await keys()
  t.not(second, first, 'a changed file gets a new key')
  t.same(await keys(), [second], 'and keeps it in turn')

  // Replaced by a copy with the same bytes and times, as rsync or mv do: another file.
  await copyFile(path, `${path}.tmp`)
  const { mtime } = await stat(path)
  await utimes(`${path}.tmp`, anHourAgo, mtime)
  await rename(`${path}.tmp`, path)
  t.not((await keys())[0], second, 'a file put in its place gets a new key')
})
