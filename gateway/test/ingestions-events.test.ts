// Progress streams of one job share one poll of it: a job followed from many tabs costs the
// ingestion service one read per interval, not one per stream.

import { pollUntil } from '@catalog/kit/testing'
import type { ingestion } from '@catalog/proto'
import t from 'tap'
import { createJobWatch } from '../src/routes/job-watch.ts'
import { startFakeCatalog } from './helpers/fake-catalog.ts'
import { FAKE_JOB_ID, running, startFakeIngestion } from './helpers/fake-ingestion.ts'
import { ALL_SCOPES, startGateway } from './helpers/gateway.ts'

/** Reads a progress stream until it has shown `count` progress events; answers their `processed`. */
async function progressOf(res: Response, count: number): Promise<number[]> {
  const seen: number[] = []
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader()
  let buffered = ''
  while (seen.length < count) {
    const { value, done } = await reader.read()
    if (done) break
    buffered += value
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const match = /^event: progress\ndata: (.*)$/.exec(buffered.slice(0, end))
      if (match) seen.push((JSON.parse(match[1] as string) as { processed: number }).processed)
      buffered = buffered.slice(end + 2)
    }
  }
  await reader.cancel()
  return seen
}

t.test('streams on one job, from several clients, share one read of it per interval', async (t) => {
  const cat = await startFakeCatalog(t)
  const ing = await startFakeIngestion(t)
  // Each read finds the job one record further: streams that each polled would skip values.
  ing.state.advance = true
  const gw = await startGateway(t, cat.address, { INGESTION_ADDR: ing.address })
  const address = await gw.app.listen({ host: '127.0.0.1', port: 0 })
  const clients = await Promise.all(
    ['alice', 'bob', 'carol', 'dave', 'erin'].map(async (sub) => ({
      authorization: `Bearer ${await gw.identity.token({ tenant: 'acme', scope: ALL_SCOPES, sub })}`,
    })),
  )
  const streams = await Promise.all(
    clients.map((headers) => fetch(`${address}/v1/ingestions/${FAKE_JOB_ID}/events`, { headers })),
  )
  for (const res of streams) t.equal(res.status, 200)
  const shown = await Promise.all(streams.map((res) => progressOf(res, 12)))
  for (const [i, values] of shown.entries()) {
    // The first is the stream's own first read (before any poll); the polls come after it.
    const polled = values.slice(1)
    const steps = polled.slice(1).map((v, j) => v - (polled[j] as number))
    t.same(new Set(steps), new Set([1]), `stream ${i} was shown every poll, and each poll once`, { values })
  }
  // One first read per stream, then the polls each stream was shown (one may be on its way).
  const reads = ing.calls.GetIngestion
  const polls = Math.max(...shown.map((values) => values.length - 1))
  t.ok(reads <= clients.length + polls + 1, 'the ingestion service was read once per interval, not once per stream', {
    reads,
    polls,
  })
})

t.test('the shared poll stops when its last stream closes, and with the job', async (t) => {
  const watch = createJobWatch(5)
  let reads = 0
  let state: ingestion.JobState__Output = 'JOB_STATE_RUNNING'
  const follower = () => {
    const seen: ingestion.Job__Output[] = []
    const read = async () => {
      reads++
      // The fields the watch looks at (id, state) are the same in both shapes.
      return running(reads, state) as ingestion.Job__Output
    }
    return { seen, read, job: (job: ingestion.Job__Output) => void seen.push(job), failed: () => undefined }
  }
  const [a, b, other] = [follower(), follower(), follower()]
  const leaveA = watch.follow('acme', FAKE_JOB_ID, a)
  const leaveB = watch.follow('acme', FAKE_JOB_ID, b)
  const leaveOther = watch.follow('globex', FAKE_JOB_ID, other)
  t.equal(watch.polling, 2, "one poll for acme's two streams, another for globex's")
  await pollUntil(
    () => b.seen.length,
    (n) => n >= 3,
  )
  t.same(
    a.seen.slice(0, 3).map((j) => j.processed),
    b.seen.slice(0, 3).map((j) => j.processed),
    'both followers were shown the same reads',
  )
  leaveA()
  t.equal(watch.polling, 2, 'a stream leaving keeps the poll its neighbour follows')
  leaveB()
  t.equal(watch.polling, 1, 'the last one leaving stops it')
  t.equal(watch.latest('acme', FAKE_JOB_ID), undefined, 'and forgets the job')
  state = 'JOB_STATE_APPLYING'
  const applyingFrom = await pollUntil(
    () => other.seen.length,
    () => other.seen.at(-1)?.state === 'JOB_STATE_APPLYING',
  )
  await pollUntil(
    () => other.seen.length,
    (n) => n >= applyingFrom + 2,
  )
  t.equal(watch.polling, 1, 'a job the catalog is applying is still followed')
  state = 'JOB_STATE_COMPLETED'
  await pollUntil(
    () => other.seen.at(-1)?.state,
    (s) => s === 'JOB_STATE_COMPLETED',
  )
  t.equal(watch.polling, 0, 'a job that ended is polled no more')
  leaveOther()
})

t.test('a stream follows a job the catalog is applying, and ends when it completes', async (t) => {
  const cat = await startFakeCatalog(t)
  const ing = await startFakeIngestion(t)
  ing.state.job = running(7, 'JOB_STATE_APPLYING')
  const gw = await startGateway(t, cat.address, { INGESTION_ADDR: ing.address })
  const address = await gw.app.listen({ host: '127.0.0.1', port: 0 })
  const headers = { authorization: `Bearer ${await gw.identity.token({ tenant: 'acme', scope: ALL_SCOPES })}` }
  const res = await fetch(`${address}/v1/ingestions/${FAKE_JOB_ID}/events`, { headers })
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  while (!text.includes('\n\n')) text += (await reader.read()).value ?? ''
  t.match(text, /^event: progress\ndata: \{.*"state":"applying"/, 'applying is progress, not the end')
  const reads = ing.calls.GetIngestion
  await pollUntil(
    () => ing.calls.GetIngestion,
    (n) => n > reads + 1,
  )
  ing.state.job = running(7, 'JOB_STATE_COMPLETED')
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value
  t.match(text, /event: end\ndata: \{.*"state":"completed"/, 'the stream ends with the completed job')
})
