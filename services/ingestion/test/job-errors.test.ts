import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Producer } from '@catalog/kit'
import { createIdempotentProducer, createKafka, createLogger, createMetrics } from '@catalog/kit'
import { silentLogger, testKafka } from '@catalog/kit/testing'
import t from 'tap'
import { v7 as uuidv7 } from 'uuid'
import { runJob, runnerMetrics } from '../src/jobs/job-runner.ts'
import { insertJob } from '../src/jobs/job-store.ts'
import { fileSource } from '../src/sources/file-source.ts'
import { createS3Client, s3Source } from '../src/sources/s3-source.ts'
import type { FoundInput } from '../src/sources/source.ts'
import type { TestIngestion } from '../src/testing.ts'
import { startTestIngestion, testS3Env } from '../src/testing.ts'
import { as, ingestionClient, item, ndjson, silentStore, writeInput } from './helpers.ts'

const tenant = () => `errors-${Date.now()}-${Math.floor(Math.random() * 1e6)}`

/** What no client may read in a job's error: server paths, system and SDK errors, hosts. */
const INTERNAL =
  /ENOENT|no such file|\/tmp|ingest-root|NoSuchKey|specified key|S3ServiceException|Exception|127\.0\.0\.1|localhost|ingestion stopped|\bat \w/

/** A logger whose JSON lines the test reads. */
function capture() {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { lines, log: createLogger({ name: 'ingestion', level: 'info' }, sink) }
}

/** Runs the job of an input found earlier, on the test service's database and Kafka, as `who`. */
async function runFound(ing: TestIngestion, who: string, found: FoundInput, producer: Producer = ing.producer) {
  const { lines, log } = capture()
  const job = await insertJob(ing.pool, {
    id: uuidv7(),
    tenant: who,
    uri: found.uri,
    format: found.shape.format,
    contentKey: found.contentKey,
    idempotencyKey: null,
    defaultSource: 'errors',
    bytesTotal: found.size,
  })
  const options = { batchRecords: 100, batchBytes: 1024 * 1024, progressMs: 200, maxErrorRatio: 0.5, maxDecompressedBytes: 1e9 }
  const metrics = runnerMetrics(createMetrics({ service: 'errors', defaultMetrics: false }))
  await runJob({ pool: ing.pool, producer, log, metrics, options }, job, found.open(), found.shape)
  return { id: job.id, lines }
}

/** The job as its client sees it, one by one and in a page. */
async function clientView(t: { teardown(fn: () => unknown): void }, ing: TestIngestion, who: string, id: string) {
  const client = ingestionClient(t, ing.address)
  const got = (await client.call('GetIngestion', { id }, as(who))).job
  const listed = (await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(who))).jobs.find((j) => j.id === id)
  return { got, listed }
}

const SOURCE_UNAVAILABLE = 'ING_ERR_SOURCE_UNAVAILABLE: The source could not be read; start the file again.'

for (const [name, content] of [
  ['gone.ndjson', ndjson([item(1), item(2)])],
  ['gone.ndjson.gz', gzipSync(ndjson([item(1), item(2)]))],
] as const) {
  t.test(`a file (${name}) gone before it is read fails the job with a stable code and no server text`, async (t) => {
    const ing = await startTestIngestion(t)
    const who = tenant()
    const uri = await writeInput(ing.fileRoot, who, name, content)
    const found = await fileSource(ing.fileRoot).find(new URL(uri), ing.areaOf(who))
    await unlink(join(ing.fileRoot, ing.areaOf(who), name))
    const { id, lines } = await runFound(ing, who, found)

    const { got, listed } = await clientView(t, ing, who, id)
    t.equal(got?.state, 'JOB_STATE_FAILED')
    t.equal(got?.error, SOURCE_UNAVAILABLE, 'the client reads the code and a fixed sentence')
    t.notMatch(got?.error, INTERNAL, 'nothing of the server', { error: got?.error })
    t.equal(listed?.error, SOURCE_UNAVAILABLE, 'a page of jobs says the same')
    const logged = lines.find((l) => l.msg === 'job failed')
    t.match(
      logged,
      { job: id, tenant: who, code: 'ING_ERR_SOURCE_UNAVAILABLE', err: { message: /ENOENT/ } },
      'the cause is logged',
    )
  })
}

t.test(
  'an S3 object deleted before it is read fails the job with a stable code and no SDK text',
  { skip: !testS3Env() },
  async (t) => {
    const s3env = testS3Env()
    if (!s3env) return
    const ing = await startTestIngestion(t)
    const who = tenant()
    const s3 = createS3Client(s3env)
    t.teardown(() => s3.destroy())
    await s3.send(new CreateBucketCommand({ Bucket: 'ingest-test' })).catch(() => undefined)
    const key = `${ing.areaOf(who)}gone.ndjson`
    await s3.send(new PutObjectCommand({ Bucket: 'ingest-test', Key: key, Body: ndjson([item(1), item(2)]) }))
    const found = await s3Source({ buckets: ['ingest-test'], ...s3env }, s3).find(
      new URL(`s3://ingest-test/${key}`),
      ing.areaOf(who),
    )
    await s3.send(new DeleteObjectCommand({ Bucket: 'ingest-test', Key: key }))
    const { id, lines } = await runFound(ing, who, found)

    const { got } = await clientView(t, ing, who, id)
    t.equal(got?.state, 'JOB_STATE_FAILED')
    t.equal(got?.error, SOURCE_UNAVAILABLE)
    t.notMatch(got?.error, INTERNAL, 'nothing of the SDK or the store', { error: got?.error })
    const logged = lines.find((l) => l.msg === 'job failed')
    t.match(logged, { job: id, tenant: who, code: 'ING_ERR_SOURCE_UNAVAILABLE', err: { type: /NoSuchKey|PreconditionFailed/ } })
  },
)

t.test('records the broker refuses fail the job with ING_ERR_PUBLISH_FAILED and no broker text', async (t) => {
  const ing = await startTestIngestion(t)
  const who = tenant()
  // The search service's principal may not write ingestion's topics: the broker refuses each send.
  const kafka = createKafka({ ...testKafka('search'), clientId: 'errors-test', log: silentLogger() })
  const refused = await createIdempotentProducer(kafka, silentLogger())
  t.teardown(() => refused.disconnect())
  const uri = await writeInput(ing.fileRoot, who, 'refused.ndjson', ndjson([item(1), item(2)]))
  const found = await fileSource(ing.fileRoot).find(new URL(uri), ing.areaOf(who))
  const { id, lines } = await runFound(ing, who, found, refused)

  const { got } = await clientView(t, ing, who, id)
  t.equal(got?.state, 'JOB_STATE_FAILED')
  t.equal(got?.error, 'ING_ERR_PUBLISH_FAILED: The records could not be published; start the file again.')
  t.notMatch(got?.error, /authoriz|topic|broker|Kafka/i, 'nothing of the broker', { error: got?.error })
  // The last records go with the final save, which logs its own line.
  const logged = lines.find((l) => l.code === 'ING_ERR_PUBLISH_FAILED')
  t.match(logged, { job: id, tenant: who, level: 'error', err: { message: /authoriz/i } }, 'the cause is logged')
})

/** `work`, or a failure once `ms` pass: what the timeouts under test prevent is a wait for ever. */
const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms).unref()),
  ])

t.test('an object store that accepts and never answers fails the job with ING_ERR_SOURCE_UNAVAILABLE', async (t) => {
  const ing = await startTestIngestion(t)
  const who = tenant()
  const { endpoint } = await silentStore(t)
  const options = { endpoint, region: 'us-east-1', forcePathStyle: true, connectTimeoutMs: 1_000, requestTimeoutMs: 500 }
  const client = createS3Client(options)
  t.teardown(() => client.destroy())
  const source = s3Source({ buckets: ['silent'], ...options }, client)
  const uri = (name: string) => new URL(`s3://silent/${ing.areaOf(who)}${name}`)

  await t.rejects(
    within(20_000, source.find(uri('silent-head.ndjson'), ing.areaOf(who))),
    { name: 'TimeoutError' },
    'a start gives up',
  )

  for (const name of ['never.ndjson', 'stalled.ndjson']) {
    const found = await source.find(uri(name), ing.areaOf(who))
    const { id, lines } = await within(20_000, runFound(ing, who, found))
    const { got } = await clientView(t, ing, who, id)
    t.equal(got?.state, 'JOB_STATE_FAILED', `${name}: the job ends`)
    t.equal(got?.error, SOURCE_UNAVAILABLE, `${name}: with the stable code`)
    t.equal(got?.processed, name === 'stalled.ndjson' ? '1' : '0', `${name}: after what came before the silence`)
    t.match(
      lines.find((l) => l.msg === 'job failed'),
      { tenant: who, err: { message: /500 ms/ } },
      `${name}: the cause is logged`,
    )
  }
})
