import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createKafka, ensureTopics, migrate, PLATFORM_TOPICS } from '@catalog/kit'
import { silentLogger, testDatabase, testKafka, testKafkaEnv } from '@catalog/kit/testing'
import pg from 'pg'
import t from 'tap'
import { MIGRATIONS_DIR } from '../src/server.ts'
import { item, ndjson, writeInput } from './helpers.ts'

const SCAN = fileURLToPath(new URL('../src/scan-drops.ts', import.meta.url))

interface Run {
  code: number
  stderr: string
  /** The JSON log lines the process wrote. */
  logs: Record<string, unknown>[]
}

function scan(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCAN],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const logs = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr, logs })
      },
    )
  })
}

const finished = (run: Run) => run.logs.find((l) => l.msg === 'drop scan finished')

t.test('a drop scan runs each new file to its end, skips what was ingested, and exits 1 when a job fails', async (t) => {
  const url = await testDatabase(t)
  await migrate(url, MIGRATIONS_DIR, silentLogger())
  await ensureTopics(createKafka({ ...testKafka(), clientId: 'scan-test', log: silentLogger() }), PLATFORM_TOPICS)
  const root = await mkdtemp(join(tmpdir(), 'scan-drops-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await writeInput(root, 'drops-tenant', 'daily/2026-11-30.ndjson', ndjson([item(1), item(2)]))
  await writeInput(root, 'drops-tenant', 'daily/2026-12-01.ndjson', ndjson([item(3)]))
  const env = {
    DATABASE_URL: url,
    ...testKafkaEnv('ingestion'),
    INGEST_FILE_ROOT: root,
    DROP_URI: 'file:///tenants/drops-tenant/daily/',
    DROP_TENANT: 'drops-tenant',
    // No catalog applies the records here: a job completes once they are published.
    INGEST_COMPLETE_WHEN: 'published',
  }
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  t.teardown(() => db.end())
  const jobs = async () =>
    (
      await db.query<{ uri: string; state: string }>('SELECT uri, state FROM jobs WHERE tenant = $1 ORDER BY uri', [
        'drops-tenant',
      ])
    ).rows

  // One job at a time: the second file waits for the first, in a second round of the same run.
  const first = await scan({ ...env, INGEST_MAX_RUNNING_JOBS: '1' })
  t.equal(first.code, 0, first.stderr)
  t.match(finished(first), { started: 1, completed: 1, failed: 0, waiting: 0, jobs: { completed: 2 } })
  t.same(await jobs(), [
    { uri: 'file:///tenants/drops-tenant/daily/2026-11-30.ndjson', state: 'completed' },
    { uri: 'file:///tenants/drops-tenant/daily/2026-12-01.ndjson', state: 'completed' },
  ])

  const again = await scan(env)
  t.equal(again.code, 0, again.stderr)
  t.match(finished(again), { started: 0, completed: 2, failed: 0 }, 'a second run ingests nothing twice')

  // Every record of this file is bad: its job fails on the error ratio, and so does the run.
  await writeInput(root, 'drops-tenant', 'daily/2026-12-02.ndjson', ndjson([{ nope: 1 }, { nope: 2 }]))
  const bad = await scan(env)
  t.equal(bad.code, 1, 'a failed job fails the run')
  t.match(finished(bad), { started: 1, completed: 2, jobs: { failed: 1 } })
  t.equal((await jobs()).find((j) => j.uri.endsWith('2026-12-02.ndjson'))?.state, 'failed')
  const again2 = await scan(env)
  t.match(finished(again2), { started: 0, quarantined: 1 }, 'too many bad records: quarantined, not started again')
  t.equal(again2.code, 0, 'a run that starts nothing new succeeds')

  // Each run's outcome is kept for the gauges every replica exports.
  const { rows } = await db.query<{ ok: boolean }>('SELECT ok FROM drop_scans ORDER BY id')
  t.same(
    rows.map((r) => r.ok),
    [true, true, false, true],
  )
  const { createDropMetrics } = await import('../src/drops/drop-metrics.ts')
  const { createMetrics, createPool } = await import('@catalog/kit')
  const pool = createPool({ url, max: 1, statementTimeoutMs: 5_000, applicationName: 'scan-test' }, silentLogger())
  t.teardown(() => pool.end())
  const metrics = createMetrics({ service: 'ingestion', defaultMetrics: false })
  createDropMetrics(pool, metrics)
  const text = await metrics.registry.metrics()
  t.match(text, /^ingestion_drop_scan_last_ok\{uri="file:\/\/\/tenants\/drops-tenant\/daily\/",app="ingestion"\} 1$/m)
  t.match(
    text,
    /^ingestion_drop_scan_last_success_timestamp_seconds\{uri="file:\/\/\/tenants\/drops-tenant\/daily\/",app="ingestion"\} \d{10}/m,
  )
  t.match(text, /^ingestion_drops_quarantined\{app="ingestion"\} 1$/m)
})

t.test('without a drop folder the scan stops at once, naming the setting', async (t) => {
  const run = await scan({ DATABASE_URL: 'postgres://x@127.0.0.1:1/x', KAFKA_BROKERS: '127.0.0.1:1' })
  t.equal(run.code, 1)
  t.match(run.stderr, /^drop scan failed: invalid configuration: .*DROP_URI/)
})

t.test('a drop folder outside the drop tenant area stops the scan before it reads anything', async (t) => {
  const run = await scan({
    DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
    KAFKA_BROKERS: '127.0.0.1:1',
    DROP_URI: 'file:///tenants/someone-else/daily/',
    DROP_TENANT: 'drops-tenant',
  })
  t.equal(run.code, 1)
  t.match(run.stderr, /^drop scan failed: invalid configuration: DROP_URI must be under file:\/\/\/tenants\/drops-tenant\//)
})
