import { readFileSync } from 'node:fs'
import type { Producer } from '@catalog/kit'
import { createMetrics } from '@catalog/kit'
import { pollUntil, silentLogger } from '@catalog/kit/testing'
import { events } from '@catalog/proto'
import type { ServiceError } from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { v7 as uuidv7 } from 'uuid'
import { ingestionEnv } from '../src/config.ts'
import type { RunnerOptions } from '../src/jobs/job-runner.ts'
import { ERROR_LIMITS, runJob, runnerMetrics } from '../src/jobs/job-runner.ts'
import { insertJob } from '../src/jobs/job-store.ts'
import type { TestIngestion } from '../src/testing.ts'
import { startTestIngestion } from '../src/testing.ts'
import { as, finished, ingestionClient, item, ndjson, upload, writeInput } from './helpers.ts'

const tenant = () => `limits-${Date.now()}-${Math.floor(Math.random() * 1e6)}`

type Sent = { topic: string; messages: { key: string; value: Buffer; headers: Record<string, unknown> }[] }[]

/** Runs one job over `body` in this process, recording every batch it sends to Kafka. */
async function runRecorded(ing: TestIngestion, options: Partial<RunnerOptions>, body: string) {
  const sends: Sent[] = []
  const producer = {
    ...ing.producer,
    async sendBatch(batch: Parameters<Producer['sendBatch']>[0]) {
      sends.push((batch.topicMessages ?? []) as unknown as Sent)
      return ing.producer.sendBatch(batch)
    },
  } as Producer
  const job = await insertJob(ing.pool, {
    id: uuidv7(),
    tenant: tenant(),
    uri: 'upload:limits',
    format: 'ndjson',
    contentKey: null,
    idempotencyKey: null,
    defaultSource: 'bulk',
    bytesTotal: null,
  })
  const input = (async function* () {
    yield Buffer.from(body)
  })()
  const row = await runJob(
    {
      pool: ing.pool,
      producer,
      log: silentLogger(),
      metrics: runnerMetrics(createMetrics({ service: 'limits', defaultMetrics: false })),
      options: {
        batchRecords: 1_000,
        batchBytes: 1024 * 1024,
        progressMs: 200,
        maxErrorRatio: 0.5,
        maxDecompressedBytes: 1e9,
        ...options,
      },
    },
    job,
    input,
    { format: 'ndjson', gzip: false },
  )
  return { row, sends }
}

t.test('an unknown key of most of a megabyte is clipped on the job and in the DLQ headers', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  const key = `${'k'.repeat(1000)}\u0000\ud800${'k'.repeat(900_000)}`
  const body = ndjson([item(1), { ...item(2), [key]: 1 }, item(3), { ...item(4), title: 7 }])
  const { job } = await upload(ing.address, who, {}, Buffer.from(body))
  const done = await finished(client, who, job?.id ?? '')
  t.equal(done.state, 'JOB_STATE_COMPLETED')
  t.same([done.accepted, done.rejected], ['2', '2'])
  const [unknown, wrongType] = done.errors
  t.equal(unknown?.position, '2')
  t.ok((unknown?.field.length ?? 0) <= ERROR_LIMITS.field, 'the kept field is clipped', { length: unknown?.field.length })
  t.match(unknown?.field, /^k{199}…$/, 'and marked as cut')
  t.same([wrongType?.field, wrongType?.reason], ['title', 'must be a string'], 'short ones are kept whole')

  const { sends } = await runRecorded(ing, {}, `${JSON.stringify({ ...item(1), [key]: 1 })}\n`)
  const dlq = sends.flat().find((s) => s.topic === events.INGESTION_TOPICS.recordDlq)?.messages[0]
  const field = String(dlq?.headers['dlq-field'])
  t.ok(field.length <= ERROR_LIMITS.field, 'the DLQ header is clipped too', { length: field.length })
  t.notOk(field.includes('\u0000'), 'without NUL')
  t.ok(String(dlq?.headers['dlq-reason']).length <= ERROR_LIMITS.reason)
})

t.test('batches are sent by bytes as well as by records', async (t) => {
  const ing = await startTestIngestion(t)
  const body = ndjson(Array.from({ length: 40 }, (_, i) => item(i, { description: 'd'.repeat(15_000) })))
  const { row, sends } = await runRecorded(ing, { batchBytes: 64 * 1024, batchRecords: 1_000 }, body)
  t.equal(row.state, 'completed')
  t.equal(row.accepted, '40')
  const messages = sends.map((batch) => batch.flatMap((s) => s.messages))
  const sizes = messages.map((ms) => ms.reduce((n, m) => n + Buffer.byteLength(m.key) + m.value.length, 0))
  t.equal(messages.flat().length, 40, 'every record sent, once')
  t.ok(sends.length >= 9, 'forty records of 15 KB take several sends under 64 KiB', { sends: sends.length })
  t.ok(
    sizes.every((n) => n <= 64 * 1024),
    'no send holds more than batchBytes',
    { sizes },
  )
})

t.test('a tenant at its limit of running jobs gets RESOURCE_EXHAUSTED naming it; others still start', async (t) => {
  const ing = await startTestIngestion(t, { maxRunningJobs: 2 })
  const client = ingestionClient(t, ing.address)
  const [who, other] = [tenant(), tenant()]
  let release = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  const slow = async function* () {
    yield Buffer.from(ndjson([item(1)]))
    await held
  }
  const running = [upload(ing.address, who, {}, slow()), upload(ing.address, who, {}, slow())]
  t.teardown(() => release())
  const live = await pollUntil(
    () => client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(who)),
    (r) => r.jobs.length === 2,
  )
  t.equal(live.jobs.length, 2)

  const uri = await writeInput(ing.fileRoot, who, 'third.ndjson', ndjson([item(3)]))
  const refused = (await client.call('StartIngestion', { uri }, as(who)).catch((e: ServiceError) => e)) as ServiceError
  t.equal(refused.code, status.RESOURCE_EXHAUSTED)
  t.match(refused.details, /already runs 2 ingestion jobs, its limit \(INGEST_MAX_RUNNING_JOBS\)/)
  const upload3 = (await upload(ing.address, who, {}, Buffer.from(ndjson([item(4)]))).catch(
    (e: ServiceError) => e,
  )) as ServiceError
  t.equal(upload3.code, status.RESOURCE_EXHAUSTED, 'an upload counts the same')

  const theirs = await client.call(
    'StartIngestion',
    { uri: await writeInput(ing.fileRoot, other, 'a.ndjson', ndjson([item(1)])) },
    as(other),
  )
  t.equal((await finished(client, other, theirs.job?.id ?? '')).state, 'JOB_STATE_COMPLETED', 'another tenant is not held back')

  release()
  for (const r of await Promise.all(running)) t.equal(r.job?.state, 'JOB_STATE_COMPLETED')
  const later = await client.call('StartIngestion', { uri }, as(who))
  t.equal((await finished(client, who, later.job?.id ?? '')).state, 'JOB_STATE_COMPLETED', 'once one ends, a start is taken')
})

t.test('a page of jobs leaves their errors out; the job itself has them', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  const bad = Array.from({ length: 150 }, (_, i) => ({ ...item(i), title: i }))
  const good = Array.from({ length: 200 }, (_, i) => item(1000 + i))
  const { job } = await upload(ing.address, who, {}, Buffer.from(ndjson([...good, ...bad])))
  const listed = (await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(who))).jobs[0]
  t.equal(listed?.id, job?.id)
  t.equal(listed?.rejected, '150', 'the counts are there')
  t.same(listed?.errors, [], 'the errors are not')
  const got = (await client.call('GetIngestion', { id: job?.id ?? '' }, as(who))).job
  t.equal(got?.errors.length, 100, 'the first 100 are kept on the job')
})

/** The `config:` map of helm/ingestion/values.yaml: flat `KEY: value` lines, two spaces in. */
function chartConfig(): Record<string, string> {
  const values = readFileSync(new URL('../../../helm/ingestion/values.yaml', import.meta.url), 'utf8')
  const block = /^config:\n((?: {2}.*\n)+)/m.exec(values)?.[1] ?? ''
  return Object.fromEntries(
    [...block.matchAll(/^ {2}([A-Z0-9_]+): *(.*)$/gm)].map(([, key, value]) => [key, (value ?? '').replace(/^"(.*)"$/, '$1')]),
  )
}

t.test('the chart passes every limit of a job, a tenant and the object store, at the service defaults', async (t) => {
  const config = chartConfig()
  for (const key of [
    'INGEST_MAX_ERROR_RATIO',
    'INGEST_BATCH_RECORDS',
    'INGEST_BATCH_BYTES',
    'INGEST_MAX_RUNNING_JOBS',
    'S3_CONNECT_TIMEOUT_MS',
    'S3_REQUEST_TIMEOUT_MS',
  ] as const) {
    t.ok(key in config, `helm/ingestion values.yaml config sets ${key}`)
    t.equal(Number(config[key]), (ingestionEnv.properties[key] as { default?: unknown }).default, `${key} is the service default`)
  }
})
