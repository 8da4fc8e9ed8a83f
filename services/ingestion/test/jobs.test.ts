import { truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gzipSync } from 'node:zlib'
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { fieldViolationsOf } from '@catalog/kit'
import { pollUntil } from '@catalog/kit/testing'
import type { ServiceError } from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { createS3Client } from '../src/sources/s3-source.ts'
import { startTestIngestion, testS3Env } from '../src/testing.ts'
import { as, finished, ingestionClient, item, ndjson, upload, writeInput } from './helpers.ts'

const tenant = () => `t-${Date.now()}-${Math.floor(Math.random() * 1e6)}`

t.test('a file with bad lines: the good ones are accepted, the bad ones rejected with line, field and reason', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  const body = [
    JSON.stringify(item(1)),
    JSON.stringify(item(2, { price: { amount_minor: 5, currency: 'XXY' } })),
    '{"external_id": "x3", "title": ',
    JSON.stringify(item(4, { colour: 'red' })),
    JSON.stringify(item(5)),
    JSON.stringify(item(6)),
    JSON.stringify(item(7)),
    JSON.stringify(item(8)),
  ].join('\n')
  const uri = await writeInput(ing.fileRoot, who, 'mixed.ndjson', body)
  const started = await client.call('StartIngestion', { uri }, as(who))
  t.equal(started.duplicate, false)
  const job = await finished(client, who, started.job?.id ?? '')
  t.equal(job.state, 'JOB_STATE_COMPLETED', 'three bad of eight stays under the ratio')
  t.same([job.total, job.processed, job.accepted, job.rejected], ['8', '8', '5', '3'])
  t.same(
    job.errors.map((e) => [e.position, e.field]),
    [
      ['2', 'price.currency'],
      ['3', ''],
      ['4', 'colour'],
    ],
  )
  t.match(job.errors[1]?.reason, /not valid JSON/)
  t.equal(job.bytes_read, String(Buffer.byteLength(body)))

  const again = await client.call('StartIngestion', { uri }, as(who))
  t.equal(again.duplicate, true, 'the same file again is a duplicate')
  t.equal(again.job?.id, job.id, 'answered with the earlier job')
})

t.test('a start answers at once however big the file: the call never reads it', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  const uri = await writeInput(ing.fileRoot, who, 'huge.ndjson', ndjson([item(1), item(2)]))
  // 8 GiB, nearly all of it a hole: reading it through takes far longer than this call may.
  await truncate(join(ing.fileRoot, ing.areaOf(who), 'huge.ndjson'), 8 * 1024 ** 3)
  const quick = () => ({ ...as(who), deadline: new Date(Date.now() + 2_000) })
  const started = await client.call('StartIngestion', { uri }, quick())
  t.equal(started.duplicate, false)
  t.equal(started.job?.bytes_total, String(8 * 1024 ** 3))
  const again = await client.call('StartIngestion', { uri }, quick())
  t.same([again.duplicate, again.job?.id], [true, started.job?.id], 'the same file started again is the same job')
  // The job would read its 8 GiB of zeros to the end: a cancel stops it at once.
  await client.call('CancelIngestion', { id: started.job?.id ?? '' }, as(who))
  t.equal((await finished(client, who, started.job?.id ?? '')).state, 'JOB_STATE_CANCELLED')
})

t.test('URIs outside the configured sources are a 400 naming uri, and nothing is read', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  for (const uri of [
    'http://169.254.169.254/latest/meta-data',
    'https://example.org/x.ndjson',
    'ftp://x/y.ndjson',
    'file://otherhost/etc/passwd',
    'file:///../../etc/passwd.ndjson',
    'file:///%2e%2e/%2e%2e/etc/hosts.ndjson',
    's3://not-a-configured-bucket/x.ndjson',
    's3://ingest-test/a.ndjson?versionId=1',
    'not a uri',
    '',
  ]) {
    const err = (await client.call('StartIngestion', { uri }, as(who)).catch((e: ServiceError) => e)) as ServiceError
    t.equal(err.code, status.INVALID_ARGUMENT, `${uri} is refused`)
    t.equal(fieldViolationsOf(err)[0]?.field, 'uri', `${uri}: names the field`)
  }
  const missing = (await client
    .call('StartIngestion', { uri: `file:///tenants/${who}/nope.ndjson` }, as(who))
    .catch((e: ServiceError) => e)) as ServiceError
  t.equal(missing.code, status.NOT_FOUND, 'a file that is not there is NOT_FOUND')
  t.equal(fieldViolationsOf(missing)[0]?.field, 'uri')
})

t.test('broken inputs end the job with a clear error; what came before stays accepted', async (t) => {
  const ing = await startTestIngestion(t, { maxDecompressedBytes: 1024 * 1024 })
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  const run = async (name: string, content: string | Buffer) => {
    const uri = await writeInput(ing.fileRoot, who, name, content)
    const { job } = await client.call('StartIngestion', { uri }, as(who))
    return finished(client, who, job?.id ?? '')
  }
  const gz = gzipSync(ndjson([item(1), item(2), item(3)]))
  const truncated = await run('cut.ndjson.gz', gz.subarray(0, gz.length - 12))
  t.equal(truncated.state, 'JOB_STATE_FAILED')
  t.match(truncated.error, /gzip input is cut short or corrupt/)

  const bomb = await run('bomb.ndjson.gz', gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)))
  t.equal(bomb.state, 'JOB_STATE_FAILED', 'a gzip bomb ends the job')
  t.match(bomb.error, /expands past 1048576 bytes/)

  const empty = await run('empty.ndjson', '')
  t.equal(empty.state, 'JOB_STATE_COMPLETED', 'an empty file is a job of nothing')
  t.equal(empty.total, '0')

  const deep = await run('deep.json', `[${'['.repeat(50_000)}${']'.repeat(50_000)}, ${JSON.stringify(item(1))}]`)
  t.equal(deep.state, 'JOB_STATE_COMPLETED')
  t.same([deep.accepted, deep.rejected], ['1', '1'], 'a JSON bomb of deep nesting is one bad record')
  t.match(deep.errors[0]?.reason, /nested deeper than/)

  const long = await run(
    'long.ndjson',
    `${'x'.repeat(1024 * 1024 + 10)}\n${JSON.stringify(item(2))}\n${Buffer.from([0xc3, 0x28]).toString('latin1')}\n`,
  )
  t.same([long.accepted, long.rejected], ['1', '2'], 'an overlong line and invalid UTF-8 are record errors')
  t.match(long.errors[0]?.reason, /longer than 1048576 bytes/)

  const cutArray = await run('cut.json', `[${JSON.stringify(item(1))}, {"external_id": "x2"`)
  t.equal(cutArray.state, 'JOB_STATE_FAILED')
  t.match(cutArray.error, /cut short/)
  t.equal(cutArray.accepted, '1', 'the element before the cut was accepted')

  const garbage = await run('garbage.ndjson', 'a\nb\nc\n')
  t.equal(garbage.state, 'JOB_STATE_FAILED', 'past the error ratio, the job fails')
  t.match(garbage.error, /past the allowed ratio/)
})

t.test('uploads: an Idempotency-Key returns the same job; a bad header is a 400', async (t) => {
  const ing = await startTestIngestion(t)
  const who = tenant()
  const body = Buffer.from(ndjson(Array.from({ length: 300 }, (_, i) => item(i))))
  const first = await upload(ing.address, who, { idempotency_key: 'load-42', name: 'nightly' }, body, 1000)
  t.equal(first.duplicate, false)
  t.equal(first.job?.state, 'JOB_STATE_COMPLETED')
  t.same([first.job?.accepted, first.job?.uri], ['300', 'upload:nightly'])
  const retried = await upload(ing.address, who, { idempotency_key: 'load-42' }, body)
  t.equal(retried.duplicate, true)
  t.equal(retried.job?.id, first.job?.id)

  const json = await upload(ing.address, who, { format: 'json' }, Buffer.from(JSON.stringify([item(1), item(2)])), 7)
  t.same([json.job?.format, json.job?.accepted], ['json', '2'], 'a JSON array in 7-byte chunks')

  const bad = (await upload(ing.address, who, { format: 'xml' }, Buffer.from('<a/>')).catch(
    (e: ServiceError) => e,
  )) as ServiceError
  t.equal(bad.code, status.INVALID_ARGUMENT)
  t.equal(fieldViolationsOf(bad)[0]?.field, 'header.format')
})

t.test('jobs belong to their tenant: another tenant cannot get, list or cancel them', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const [a, b] = [tenant(), tenant()]
  const { job } = await upload(ing.address, a, {}, Buffer.from(ndjson([item(1)])))
  const id = job?.id ?? ''
  const get = (await client.call('GetIngestion', { id }, as(b)).catch((e: ServiceError) => e)) as ServiceError
  t.equal(get.code, status.NOT_FOUND)
  const cancel = (await client.call('CancelIngestion', { id }, as(b)).catch((e: ServiceError) => e)) as ServiceError
  t.equal(cancel.code, status.NOT_FOUND)
  t.same((await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(b))).jobs, [])
  t.equal((await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(a))).jobs.length, 1)
})

t.test('listing pages through jobs newest first with cursors, each once', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  const ids: string[] = []
  for (let i = 0; i < 5; i++) ids.push((await upload(ing.address, who, {}, Buffer.from(ndjson([item(i)])))).job?.id ?? '')
  const seen: string[] = []
  let cursor = ''
  do {
    const res = await client.call('ListIngestions', { page: { size: 2, cursor } }, as(who))
    seen.push(...res.jobs.map((j) => j.id))
    cursor = res.page?.next_cursor ?? ''
  } while (cursor)
  t.same(seen, ids.reverse())
  const bad = (await client
    .call('ListIngestions', { page: { size: 2, cursor: 'zzz' } }, as(who))
    .catch((e: ServiceError) => e)) as ServiceError
  t.equal(fieldViolationsOf(bad)[0]?.field, 'page.cursor')
})

t.test('a running job can be cancelled; records already published stay', async (t) => {
  const ing = await startTestIngestion(t, { progressMs: 100 })
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  // Fifty records at once, then one every 10 ms for up to 20 s: the job is surely still running
  // when the cancel arrives, and the runner's next save (every 100 ms) sees it.
  let sending = true
  let sent = 0
  const drip = async function* () {
    yield Buffer.from(ndjson(Array.from({ length: 50 }, (_, i) => item(i))))
    sent = 50
    for (let i = 0; sending && i < 2000; i++) {
      await sleep(10)
      yield Buffer.from(ndjson([item(100 + i)]))
      sent++
    }
  }
  const uploading = upload(ing.address, who, {}, drip())
  const [running] = (
    await pollUntil(
      () => client.call('ListIngestions', { page: { size: 1, cursor: '' } }, as(who)),
      (r) => Number(r.jobs[0]?.processed ?? 0) >= 50,
    )
  ).jobs
  const cancelled = await client.call('CancelIngestion', { id: running?.id ?? '' }, as(who))
  t.equal(cancelled.job?.state, 'JOB_STATE_RUNNING', 'the cancel is asked for; the runner stops at its next save')
  const sentAtCancel = sent
  const res = await uploading.finally(() => {
    sending = false
  })
  t.equal(res.job?.state, 'JOB_STATE_CANCELLED')
  const accepted = Number(res.job?.accepted)
  t.ok(accepted >= 50, 'records before the cancel stay accepted', { accepted })
  // A save comes every 100 ms, a record every 10 ms: a few dozen more at most, a few hundred on a
  // loaded machine; the whole input would be 2,050.
  t.ok(accepted <= sentAtCancel + 500, 'the job stops soon after the cancel', { accepted, sentAtCancel })
  const again = (await client
    .call('CancelIngestion', { id: running?.id ?? '' }, as(who))
    .catch((e: ServiceError) => e)) as ServiceError
  t.equal(again.code, status.FAILED_PRECONDITION, 'a finished job cannot be cancelled')
})

t.test('s3:// inputs from a configured bucket: CSV, gzip by extension, once per ETag', { skip: !testS3Env() }, async (t) => {
  const s3env = testS3Env()
  if (!s3env) return
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const who = tenant()
  const s3 = createS3Client(s3env)
  await s3.send(new CreateBucketCommand({ Bucket: 'ingest-test' })).catch(() => undefined)
  const csv =
    'external_id,title,tags,price_amount_minor,price_currency,published_at,attributes.colour\nc1,Red chair,home|chair,4500,EUR,2024-01-02T00:00:00Z,red\nc2,"Blue, big table",home,,,,\nc3,,x,1,EUR,,\n'
  const key = `tenants/${who}/chairs.csv.gz`
  await s3.send(new PutObjectCommand({ Bucket: 'ingest-test', Key: key, Body: gzipSync(csv) }))
  const uri = `s3://ingest-test/${key}`
  const { job } = await client.call('StartIngestion', { uri }, as(who))
  const done = await finished(client, who, job?.id ?? '')
  t.equal(done.format, 'csv+gzip')
  t.same([done.accepted, done.rejected], ['2', '1'])
  t.same([done.errors[0]?.position, done.errors[0]?.field], ['4', 'title'], 'a CSV row without a title names the line and field')
  t.equal((await client.call('StartIngestion', { uri }, as(who))).duplicate, true, 'the same object again is a duplicate')

  await s3.send(new PutObjectCommand({ Bucket: 'ingest-test', Key: key, Body: gzipSync(`${csv}c4,New row,,,,,\n`) }))
  const changed = await client.call('StartIngestion', { uri }, as(who))
  t.equal(changed.duplicate, false, 'a new version of the object (new ETag) is a new job')
  t.equal((await finished(client, who, changed.job?.id ?? '')).accepted, '3')

  const missing = (await client
    .call('StartIngestion', { uri: `s3://ingest-test/tenants/${who}/none.ndjson` }, as(who))
    .catch((e: ServiceError) => e)) as ServiceError
  t.equal(missing.code, status.NOT_FOUND)
})
