import { gzipSync } from 'node:zlib'
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { pollUntil } from '@catalog/kit/testing'
import t from 'tap'
import { createS3Client } from '../src/sources/s3-source.ts'
import { startTestIngestion, testS3Env } from '../src/testing.ts'
import { count, platform } from './e2e-platform.ts'
import { as, finished, ingestionClient, item, ndjson, upload, writeInput } from './helpers.ts'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

t.test('each format from each source ends up searchable; re-ingesting the same records changes nothing', async (t) => {
  const { cat, searchTag, publishedEvents } = await platform(t, 'e2e-formats')
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const tenant = `e2e-${Date.now()}`
  const tagged = (n: number, tag: string) => item(n, { source: 'shop', tags: [tag] })

  const traced = as(tenant)
  traced.metadata.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`)
  const fileJob = await client.call(
    'StartIngestion',
    { uri: await writeInput(ing.fileRoot, tenant, 'a.ndjson', ndjson([1, 2, 3].map((n) => tagged(n, 'from-file')))) },
    traced,
  )
  const uploadJob = await upload(
    ing.address,
    tenant,
    { format: 'json' },
    Buffer.from(JSON.stringify([4, 5].map((n) => tagged(n, 'from-upload')))),
  )
  const csv = writeInput(ing.fileRoot, tenant, 'c.csv', 'external_id,title,tags\nx6,Six,from-csv\nx7,Seven,from-csv\n')
  const csvJob = await client.call('StartIngestion', { uri: await csv }, as(tenant))
  const s3 = testS3Env()
  if (s3) {
    const client3 = createS3Client(s3)
    await client3.send(new CreateBucketCommand({ Bucket: 'ingest-test' })).catch(() => undefined)
    await client3.send(
      new PutObjectCommand({
        Bucket: 'ingest-test',
        Key: `tenants/${tenant}/d.ndjson.gz`,
        Body: gzipSync(ndjson([8, 9].map((n) => tagged(n, 'from-s3')))),
      }),
    )
    const s3Job = await client.call('StartIngestion', { uri: `s3://ingest-test/tenants/${tenant}/d.ndjson.gz` }, as(tenant))
    t.equal((await finished(client, tenant, s3Job.job?.id ?? '')).accepted, '2')
    await pollUntil(
      () => searchTag(tenant, 'from-s3'),
      (r) => r.hits.length === 2,
      30_000,
    )
  }
  for (const id of [fileJob.job?.id, uploadJob.job?.id, csvJob.job?.id])
    t.equal((await finished(client, tenant, id ?? '')).state, 'JOB_STATE_COMPLETED')
  for (const [tag, n] of [
    ['from-file', 3],
    ['from-upload', 2],
    ['from-csv', 2],
  ] as const) {
    const res = await pollUntil(
      () => searchTag(tenant, tag),
      (r) => r.hits.length === n,
      30_000,
    )
    t.equal(res.hits.length, n, `every ${tag} item is searchable`)
  }
  const before = await publishedEvents(tenant)
  t.equal(
    await publishedEvents(tenant, (e) => e.type === 'item.upserted' && e.traceparent?.split('-')[1] === TRACE_ID),
    3,
    'the trace of the call that started the job reaches the catalog events of its records',
  )

  // The same records under another name: a new job, the same catalog, no new events.
  const again = await client.call(
    'StartIngestion',
    { uri: await writeInput(ing.fileRoot, tenant, 'a-copy.ndjson', ndjson([1, 2, 3].map((n) => tagged(n, 'from-file')))) },
    as(tenant),
  )
  t.equal((await finished(client, tenant, again.job?.id ?? '')).accepted, '3')
  // A marker record behind them on the same partition proves the consumer got past them.
  const marker = await upload(ing.address, tenant, {}, Buffer.from(ndjson([item(99, { tags: ['marker'] })])))
  t.equal(marker.job?.accepted, '1')
  await pollUntil(
    () => searchTag(tenant, 'marker'),
    (r) => r.hits.length === 1,
    30_000,
  )
  t.equal(await publishedEvents(tenant), before + 2, 'only the marker made events (item + price)')
  t.equal(await count(cat.pool, 'SELECT max(version)::int AS n FROM items WHERE tenant = $1', [tenant]), 1, 'no version moved')
})
