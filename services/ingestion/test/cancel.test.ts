// A cancel takes effect at once, whatever the job waits for: a source that went quiet (an upload,
// an S3 object), Kafka, or a cancel asked of another replica. A cancelled upload fails as such.
import type { CallContext, Producer } from '@catalog/kit'
import { createMetrics, writePrincipal } from '@catalog/kit'
import { pollUntil, silentLogger } from '@catalog/kit/testing'
import type { ingestion } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import t from 'tap'
import { v7 as uuidv7 } from 'uuid'
import { runJob, runnerMetrics } from '../src/jobs/job-runner.ts'
import { jobHandlers } from '../src/jobs/job-service.ts'
import type { JobRow } from '../src/jobs/job-store.ts'
import { getJob, insertJob } from '../src/jobs/job-store.ts'
import { createS3Client, s3Source } from '../src/sources/s3-source.ts'
import type { TestIngestion } from '../src/testing.ts'
import { startTestIngestion } from '../src/testing.ts'
import { as, ingestionClient, item, ndjson, openUpload, silentStore } from './helpers.ts'

const tenant = () => `cancel-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
const UPLOAD_CANCELLED = 'ING_ERR_UPLOAD_CANCELLED: The upload was cancelled by the client.'
const CANCELLED = 'ING_ERR_CANCELLED: The job was cancelled on request.'

/** The tenant's one job, once its runner has saved `processed` records of it. */
async function jobOf(ing: TestIngestion, who: string, processed = 0): Promise<JobRow> {
  const { rows } = await pollUntil(
    () => ing.pool.query<JobRow>('SELECT * FROM jobs WHERE tenant = $1', [who]),
    (r) => Number(r.rows[0]?.processed ?? -1) >= processed,
  )
  return rows[0] as JobRow
}

/** Runs a job of `input` on the test service's database, as the service would, with `signal` to cancel it. */
async function run(ing: TestIngestion, who: string, input: AsyncIterable<Buffer>, signal: AbortSignal, producer?: Producer) {
  const job = await insertJob(ing.pool, {
    id: uuidv7(),
    tenant: who,
    uri: 'upload:cancel',
    format: 'ndjson',
    contentKey: null,
    idempotencyKey: null,
    defaultSource: 'cancel',
    bytesTotal: null,
    origin: 'upload',
  })
  // No progress saves (each sends the batch so far): batches are sent at 100 records exactly.
  const options = {
    batchRecords: 100,
    batchBytes: 1024 * 1024,
    progressMs: 60_000,
    maxErrorRatio: 0.5,
    maxDecompressedBytes: 1e9,
    dropRetry: { maxAttempts: 1, baseMs: 0, maxMs: 0 },
  }
  const metrics = runnerMetrics(createMetrics({ service: 'cancel', defaultMetrics: false }))
  const deps = { pool: ing.pool, producer: producer ?? ing.producer, log: silentLogger(), metrics, options }
  return { id: job.id, finished: runJob(deps, job, input, { format: 'ndjson', gzip: false }, signal) }
}

t.test('an upload whose call is cancelled half-way fails as cancelled, not as a source error', async (t) => {
  const ing = await startTestIngestion(t)
  const who = tenant()
  const { call } = openUpload(t, ing.address, who)
  call.write({ chunk: Buffer.from(ndjson(Array.from({ length: 20 }, (_, i) => item(i)))) })
  const { id } = await jobOf(ing, who)
  call.cancel()
  const ended = await pollUntil(
    () => getJob(ing.pool, who, id),
    (job) => job?.state !== 'running',
  )
  t.match(ended, { state: 'failed', error: UPLOAD_CANCELLED })
})

t.test('an upload whose stream ends as if finished after its call was cancelled fails as cancelled', async (t) => {
  const ing = await startTestIngestion(t)
  const who = tenant()
  const call = new AbortController()
  // What a transport may hand over when a call is cancelled: the parts that came, then an end.
  async function* requests(): AsyncGenerator<ingestion.IngestItemsRequest__Output> {
    yield {
      header: { format: 'ndjson', idempotency_key: '', default_source: '', name: 'cut' },
    } as ingestion.IngestItemsRequest__Output
    yield { chunk: Buffer.from(ndjson([item(1), item(2)])) } as ingestion.IngestItemsRequest__Output
    call.abort()
  }
  const ctx: CallContext = {
    metadata: writePrincipal(new Metadata(), { tenant: who, subject: 'u', scopes: ['ingest:write'] }),
    caller: 'gateway',
    principal: () => ({ tenant: who, subject: 'u', scopes: ['ingest:write'] }),
    signal: call.signal,
  }
  const res = await jobHandlers(ing.jobs, ing).IngestItems(requests(), ctx)
  t.equal(res.job?.state, 'JOB_STATE_FAILED', 'what came is not the whole upload')
  t.equal(res.job?.error, UPLOAD_CANCELLED)
})

for (const [how, cancel] of [
  [
    'a cancel',
    (ing: TestIngestion, who: string, id: string) => ingestionClient(t, ing.address).call('CancelIngestion', { id }, as(who)),
  ],
  [
    'a cancel asked of another replica',
    // What CancelIngestion does on a replica that does not run the job: the flag, no signal.
    (ing: TestIngestion, _who: string, id: string) =>
      ing.pool.query('UPDATE jobs SET cancel_requested = true WHERE id = $1', [id]),
  ],
] as const) {
  t.test(`${how} stops a job whose upload went quiet, at once`, async (t) => {
    const ing = await startTestIngestion(t, { progressMs: 100 })
    const who = tenant()
    // The header and nothing more, the stream left open: the runner waits for its first bytes.
    const { result } = openUpload(t, ing.address, who)
    const { id } = await jobOf(ing, who)
    await cancel(ing, who, id)
    const res = await result
    t.equal(res.job?.state, 'JOB_STATE_CANCELLED', 'the upload is answered with the cancelled job')
    t.equal(res.job?.error, CANCELLED)
  })
}

t.test('a cancel stops a job whose source stalls half-way; what was published stays', async (t) => {
  const ing = await startTestIngestion(t)
  const who = tenant()
  let stalled!: () => void
  const waiting = new Promise<void>((resolve) => {
    stalled = resolve
  })
  const release = new AbortController()
  t.teardown(() => release.abort())
  // 150 records, then silence until the test ends: a full batch of 100 was sent, 50 wait for more.
  async function* input() {
    yield Buffer.from(ndjson(Array.from({ length: 150 }, (_, i) => item(i))))
    stalled()
    await new Promise((resolve) => release.signal.addEventListener('abort', resolve))
  }
  const controller = new AbortController()
  const { finished } = await run(ing, who, input(), controller.signal)
  await waiting
  controller.abort()
  const job = await finished
  t.equal(job.state, 'cancelled')
  t.equal(job.error, CANCELLED)
  t.same([job.processed, job.accepted], ['150', '100'], 'the batch sent stays; the one not sent is dropped')
})

t.test('a cancel stops a job that waits for its S3 object, and closes the request', async (t) => {
  const ing = await startTestIngestion(t)
  const who = tenant()
  const { endpoint, stalled } = await silentStore(t)
  // The store's silence outlasts the test: only the cancel can end the read.
  const options = { endpoint, region: 'us-east-1', forcePathStyle: true, connectTimeoutMs: 1_000, requestTimeoutMs: 600_000 }
  const client = createS3Client(options)
  t.teardown(() => client.destroy())
  const found = await s3Source({ buckets: ['silent'], ...options }, client).find(
    new URL(`s3://silent/${ing.areaOf(who)}stalled.ndjson`),
    ing.areaOf(who),
  )
  const controller = new AbortController()
  const { finished } = await run(ing, who, found.open(controller.signal), controller.signal)
  await pollUntil(
    () => stalled.size,
    (n) => n > 0,
  )
  controller.abort()
  const job = await finished
  t.equal(job.state, 'cancelled')
  t.equal(job.error, CANCELLED)
  await pollUntil(
    () => stalled.size,
    (n) => n === 0,
  )
  t.pass('the request for the object was closed')
})

t.test('a cancel does not wait for a batch Kafka is slow to take', async (t) => {
  const ing = await startTestIngestion(t)
  const who = tenant()
  let waiting!: () => void
  const sending = new Promise<void>((resolve) => {
    waiting = resolve
  })
  // Job events go through; batches of records wait for ever, as on a broker that stopped answering.
  const producer = {
    send: async () => [],
    sendBatch: () => {
      waiting()
      return new Promise(() => undefined)
    },
  } as unknown as Producer
  const controller = new AbortController()
  const body = Buffer.from(ndjson(Array.from({ length: 500 }, (_, i) => item(i))))
  const input = (async function* () {
    yield body
  })()
  const { finished } = await run(ing, who, input, controller.signal, producer)
  await sending
  controller.abort()
  const job = await finished
  t.equal(job.state, 'cancelled')
  t.equal(job.accepted, '0', 'nothing was published')
})
