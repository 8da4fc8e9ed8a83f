import { mkdir } from 'node:fs/promises'
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
  await mkdir(join(ing.fileRoot, 'daily'))
  await writeInput(ing.fileRoot, 'daily/2026-11-20.ndjson', ndjson([item(1), item(2)]))
  await writeInput(ing.fileRoot, 'daily/2026-11-21.ndjson', ndjson([item(3)]))
  await writeInput(ing.fileRoot, 'daily/notes.txt', 'not a catalog file')
  const files = fileSource(ing.fileRoot)
  const deps = {
    list: (prefix: string) => files.list(new URL(prefix)),
    start: (uri: string) => ing.jobs.startFile(tenant, uri, ''),
    log: silentLogger(),
  }
  t.same(await scanDrops(deps, 'file:///daily/'), { started: 2, skipped: 0, failed: 0 })
  t.same(await scanDrops(deps, 'file:///daily/'), { started: 0, skipped: 2, failed: 0 }, 'a second scan starts nothing')

  await writeInput(ing.fileRoot, 'daily/2026-11-22.ndjson', ndjson([item(4)]))
  t.same(await scanDrops(deps, 'file:///daily/'), { started: 1, skipped: 2, failed: 0 }, 'the new drop, only')
  const { jobs } = await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(tenant))
  t.same(jobs.map((j) => j.uri).sort(), [
    'file:///daily/2026-11-20.ndjson',
    'file:///daily/2026-11-21.ndjson',
    'file:///daily/2026-11-22.ndjson',
  ])
  for (const j of jobs) t.equal((await finished(client, tenant, j.id)).state, 'JOB_STATE_COMPLETED')
})
