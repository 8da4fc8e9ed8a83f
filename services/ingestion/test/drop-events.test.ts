import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3'
import { createKafka, DROP_EVENTS_TOPIC } from '@catalog/kit'
import { pollUntil, silentLogger, testCerts, testKafka } from '@catalog/kit/testing'
import t from 'tap'
import { v7 as uuidv7 } from 'uuid'
import { loadIngestionConfig } from '../src/config.ts'
import { scanDrops } from '../src/drops/daily-drops.ts'
import { createdObjects, dropFolderOf, dropUriOf, startDropEvents } from '../src/drops/drop-events.ts'
import { createS3Client, s3Source } from '../src/sources/s3-source.ts'
import { startTestIngestion, testS3Env } from '../src/testing.ts'
import { item, ndjson } from './helpers.ts'

const minioEvent = (eventName: string, key: string, bucket = 'drops') =>
  Buffer.from(
    JSON.stringify({
      EventName: eventName,
      Key: `${bucket}/${key}`,
      Records: [{ eventName, s3: { bucket: { name: bucket }, object: { key, eTag: 'abc', size: 12 } } }],
    }),
  )

t.test('S3 event notifications in the shapes stores send are read as the objects created', async (t) => {
  t.same(createdObjects(minioEvent('s3:ObjectCreated:Put', 'tenants/acme/drops/2026-12-07+items.ndjson')), [
    { bucket: 'drops', key: 'tenants/acme/drops/2026-12-07 items.ndjson', etag: 'abc', size: 12 },
  ])
  t.same(
    createdObjects(
      Buffer.from(
        JSON.stringify({
          Records: [
            {
              eventName: 'ObjectCreated:CompleteMultipartUpload',
              s3: { bucket: { name: 'b' }, object: { key: 'a%2Fb%C3%A9.csv', eTag: '"e-2"' } },
            },
            { eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'b' }, object: { key: 'gone.csv' } } },
          ],
        }),
      ),
    ),
    [{ bucket: 'b', key: 'a/bé.csv', etag: 'e-2', size: 0 }],
    "AWS's and Ceph's eventName without the s3: prefix; a removal is no object created",
  )
  t.same(
    createdObjects(
      Buffer.from(
        JSON.stringify({
          'detail-type': 'Object Created',
          detail: { bucket: { name: 'b' }, object: { key: 'x.ndjson', etag: 'e', size: 5 } },
        }),
      ),
    ),
    [{ bucket: 'b', key: 'x.ndjson', etag: 'e', size: 5 }],
    'an EventBridge event forwarded by a bridge',
  )
  t.same(createdObjects(minioEvent('s3:ObjectRemoved:Delete', 'a.ndjson')), [], 'a removal')
  t.same(createdObjects(Buffer.from('{"Service":"Amazon S3","Event":"s3:TestEvent"}')), [], "a store's test event")
  t.equal(createdObjects(Buffer.from('not json')), undefined, 'bytes that are no JSON are no event')
  t.equal(createdObjects(Buffer.from('{"hello":1}')), undefined, 'nor is another JSON document')
  t.equal(createdObjects(Buffer.from(`{"Records":[],"pad":"${'x'.repeat(300_000)}"}`)), undefined, 'nor an oversized one')
  t.same(createdObjects(minioEvent('s3:ObjectCreated:Put', '%E0%A4%A.ndjson')), [], 'a key that does not decode names no object')
})

t.test('an event names a drop only inside the drop folder, as the scan would list it', async (t) => {
  const folder = dropFolderOf('s3://drops/tenants/acme/daily/')
  t.same(folder, { bucket: 'drops', prefix: 'tenants/acme/daily/' })
  t.equal(dropFolderOf('file:///tenants/acme/daily/'), undefined, 'no events exist for a folder')
  if (!folder) return
  const uri = (bucket: string, key: string) => dropUriOf({ bucket, key, etag: '', size: 0 }, folder)
  t.equal(uri('drops', 'tenants/acme/daily/2026 12 07.ndjson'), 's3://drops/tenants/acme/daily/2026%2012%2007.ndjson')
  t.equal(uri('drops', 'tenants/acme/daily/sub/x.csv.gz'), 's3://drops/tenants/acme/daily/sub/x.csv.gz')
  t.equal(uri('drops', 'tenants/acme/daily/_SUCCESS'), undefined, 'no input format')
  t.equal(uri('drops', 'tenants/acme/daily/dir/'), undefined, 'a folder placeholder')
  t.equal(uri('drops', 'tenants/rival/daily/x.ndjson'), undefined, "another tenant's key")
  t.equal(uri('other', 'tenants/acme/daily/x.ndjson'), undefined, 'another bucket')
})

t.test('events need an s3:// drop folder: a clear error at start otherwise', async (t) => {
  const env = {
    DATABASE_URL: 'postgres://x@localhost/x',
    KAFKA_BROKERS: 'localhost:9092',
    DROP_EVENTS_TOPIC: 's3.events.v1',
    ...testCerts().env('ingestion'),
  }
  t.throws(() => loadIngestionConfig(env), /DROP_EVENTS_TOPIC needs DROP_URI to name an s3:\/\/ drop folder/)
  t.throws(() => loadIngestionConfig({ ...env, DROP_URI: 'file:///tenants/default/drops/' }), /DROP_EVENTS_TOPIC needs DROP_URI/)
  t.equal(
    loadIngestionConfig({ ...env, DROP_URI: 's3://drops/tenants/default/drops/', INGEST_S3_BUCKETS: 'drops' }).DROP_EVENTS_TOPIC,
    's3.events.v1',
  )
})

t.test(
  'objects put on the real S3 server start their jobs from its event notifications, each once beside the scan',
  { skip: !testS3Env() },
  async (t) => {
    const s3env = testS3Env()
    if (!s3env) return
    const ing = await startTestIngestion(t, { maxRunningJobs: 200 })
    const s3 = createS3Client(s3env)
    const bucket = 'ingest-events'
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined)
    // The bucket opts in to the server's Kafka target (scripts/lib/s3.sh), for objects created.
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: 'arn:minio:sqs::DROPS:kafka', Events: ['s3:ObjectCreated:*'] }],
        },
      }),
    )
    const tenant = `events-${uuidv7().slice(-12)}`
    const prefix = `tenants/${tenant}/drops/`
    const folder = dropFolderOf(`s3://${bucket}/${prefix}`)
    if (!folder) throw new Error('no folder')
    const log = silentLogger()
    // As ingestion's own principal: its grants read the topic in groups of its prefix.
    const kafka = createKafka({ ...testKafka('ingestion'), clientId: 'drop-events-test', log })
    const groupId = `ingestion-drop-events-test-${uuidv7()}`
    const events = await startDropEvents(kafka, {
      topic: DROP_EVENTS_TOPIC,
      groupId,
      folder,
      start: (uri) => ing.jobs.startDrop(tenant, uri),
      producer: ing.producer,
      log,
      metrics: ing.metrics,
      sessionTimeoutMs: 10_000,
    })
    t.teardown(() => events.stop())
    // A new group reads from the end: it must have joined before the first put.
    const admin = createKafka({ ...testKafka(), clientId: 'drop-events-admin', log }).admin()
    await admin.connect()
    t.teardown(() => admin.disconnect())
    await pollUntil(
      async () => (await admin.describeGroups([groupId])).groups[0]?.state,
      (state) => state === 'Stable',
      30_000,
    )
    const keys: string[] = []
    t.teardown(async () => {
      for (let i = 0; i < keys.length; i += 500)
        await s3.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 500).map((Key) => ({ Key })) } }),
        )
    })
    const put = async (name: string, n: number) => {
      const key = `${prefix}${name}`
      keys.push(key)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: ndjson([item(n), item(n + 1)]) }))
      return `s3://${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
    }
    const jobsOf = async (uris: string[]) =>
      (
        await ing.pool.query<{ uri: string; n: number }>(
          'SELECT uri, count(*)::int AS n FROM jobs WHERE tenant = $1 AND uri = ANY($2) GROUP BY uri',
          [tenant, uris],
        )
      ).rows

    // One object, no scan at all: its event alone starts it.
    const began = Date.now()
    const first = await put('2026-12-07 first.ndjson', 1)
    await pollUntil(
      () => jobsOf([first]),
      (rows) => rows.length === 1,
      30_000,
    )
    t.comment(`an object put was a job ${Date.now() - began} ms later (target: within 5 s)`)

    // A hundred at once, while scans of the same folder run: every object one job, never two.
    const source = s3Source({ buckets: [bucket], ...s3env }, s3)
    let scanning = true
    const scans = (async () => {
      let n = 0
      while (scanning) {
        await scanDrops(
          {
            list: () => source.list(new URL(`s3://${bucket}/${prefix}`), prefix),
            start: (uri) => ing.jobs.startDrop(tenant, uri),
            log,
          },
          `s3://${bucket}/${prefix}`,
        )
        n++
      }
      return n
    })()
    const uris = await Promise.all(
      Array.from({ length: 100 }, (_, i) => put(`batch/${String(i).padStart(3, '0')}.ndjson`, 10 + 2 * i)),
    )
    const rows = await pollUntil(
      () => jobsOf(uris),
      (rows) => rows.length === 100,
      60_000,
    )
    // Every event read: what it started and what it found started already add up to the objects put.
    const counted = async () => {
      const metric = await ing.metrics.registry.getSingleMetricAsString('ingestion_drop_events_total')
      return [...metric.matchAll(/outcome="([a-z]+)"[^}]*} (\d+)/g)].reduce((sum, [, , n]) => sum + Number(n), 0)
    }
    await pollUntil(counted, (n) => n >= 101, 60_000)
    scanning = false
    t.ok((await scans) >= 1, 'scans ran beside the events')
    t.same(
      (await jobsOf([first, ...uris])).filter((r) => r.n !== 1),
      [],
      'each object started exactly once',
    )
    t.equal(rows.length, 100)
    const metric = await ing.metrics.registry.getSingleMetricAsString('ingestion_drop_events_total')
    t.match(metric, /outcome="started"[^}]*} [1-9]/, 'events started jobs')
    t.notMatch(metric, /outcome="(malformed|refused|gone)"[^}]*} [1-9]/, 'no event was misread')
  },
)
