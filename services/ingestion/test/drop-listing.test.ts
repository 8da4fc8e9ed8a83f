import { CreateBucketCommand, DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { silentLogger } from '@catalog/kit/testing'
import t from 'tap'
import { v7 as uuidv7 } from 'uuid'
import { scanDrops } from '../src/drops/daily-drops.ts'
import { incrementalScan } from '../src/drops/drop-listing.ts'
import { insertJob } from '../src/jobs/job-store.ts'
import { createS3Client, s3Source } from '../src/sources/s3-source.ts'
import { startTestIngestion, testS3Env } from '../src/testing.ts'
import { item, ndjson } from './helpers.ts'

t.test(
  's3:// drop scans list only the keys after the last one listed, and still start what the cursor cannot see',
  { skip: !testS3Env() },
  async (t) => {
    const s3env = testS3Env()
    if (!s3env) return
    const ing = await startTestIngestion(t)
    const s3 = createS3Client(s3env)
    const bucket = 'ingest-drops'
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined)
    const tenant = `listing-${uuidv7().slice(-12)}`
    const prefix = `tenants/${tenant}/daily/`
    const folder = `s3://${bucket}/${prefix}`
    const keys: string[] = []
    t.teardown(() => s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } })))
    const put = async (name: string) => {
      keys.push(`${prefix}${name}`)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}`, Body: ndjson([item(keys.length)]) }))
      return `${folder}${encodeURIComponent(name)}`
    }
    const source = s3Source({ buckets: [bucket], ...s3env }, s3)
    const log = silentLogger()
    // What each scan asked the store for, and what it was given.
    const asked: (string | undefined)[] = []
    let held = new Set<string>()
    const scan = async (fullEveryMs = 3_600_000) => {
      const s = incrementalScan(
        { pool: ing.pool, log },
        { uri: folder, tenant, fullEveryMs },
        async (after) => {
          asked.push(after)
          return source.list(new URL(folder), prefix, after)
        },
        async (uri) => (held.has(uri) ? { step: 'waiting', held: true } : ing.jobs.startDrop(tenant, uri)),
      )
      const counts = await scanDrops({ list: s.list, start: s.start, log }, folder)
      await s.finish()
      return counts
    }

    /** A first attempt of a dropped file that failed on a transient cause, due for its next one. */
    const failedAttempt = async (uri: string, contentKey: string, size: number) => {
      const job = await insertJob(ing.pool, {
        id: uuidv7(),
        tenant,
        uri,
        format: 'ndjson',
        contentKey,
        idempotencyKey: null,
        defaultSource: 'daily',
        bytesTotal: size,
        origin: 'drop',
        attempt: 1,
      })
      await ing.pool.query(
        `UPDATE jobs SET state = 'failed', error = 'ING_ERR_SOURCE_UNAVAILABLE: the store was away', finished_at = now(),
                retry_at = now() - interval '1 second' WHERE id = $1`,
        [job.id],
      )
    }

    const a = await put('2026-12-01.ndjson')
    const b = await put('2026-12-02.ndjson')
    t.match(await scan(), { started: 2 }, 'the first scan lists the whole folder')
    t.equal(asked.at(-1), undefined)

    const c = await put('2026-12-03.ndjson')
    const d = await put('2026-12-04.ndjson')
    held = new Set([c])
    t.match(await scan(), { started: 1, waiting: 1 }, 'a held file is not started')
    t.equal(asked.at(-1), b, 'the second lists only what comes after the last file listed')

    held = new Set()
    const counts = await scan()
    t.equal(asked.at(-1), b, 'the cursor stopped before the held file: it is listed again')
    t.equal(counts.started, 1, 'and started')
    t.equal(counts.running + counts.applying + counts.completed, 1, 'the file after it found started already')
    t.equal((await scan()).started, 0)
    t.equal(asked.at(-1), d, 'then the cursor moves past both')

    // A name that sorts before the cursor is no longer listed, until the whole listing.
    const early = await put('2026-11-30.ndjson')
    t.match(await scan(), { started: 0 }, 'an early name waits for the whole listing (or its event)')
    t.match(await scan(0), { started: 1 }, 'which finds it')
    t.equal(asked.at(-1), undefined)
    const { rows } = await ing.pool.query('SELECT uri FROM jobs WHERE tenant = $1 ORDER BY uri', [tenant])
    t.same(
      rows.map((r) => r.uri),
      [early, a, b, c, d],
      'every file one job',
    )

    // A failed file due for its next attempt sits before the cursor: its jobs say it is due.
    const late = await put('2026-10-01.ndjson')
    const found = await source.find(new URL(late), prefix)
    await failedAttempt(late, found.contentKey, found.size)
    t.match(await scan(), { started: 1 }, 'the scan starts the due file though its listing did not reach it')
    const { rows: attempts } = await ing.pool.query(
      "SELECT attempt FROM jobs WHERE tenant = $1 AND uri = $2 AND origin = 'drop' ORDER BY created_at",
      [tenant, late],
    )
    t.same(
      attempts.map((r) => r.attempt),
      [1, 2],
      'its next attempt',
    )

    // A failed file deleted since is released, not looked for at every scan.
    const gone = `${folder}2026-11-01.ndjson`
    await failedAttempt(gone, 'etag:"gone"', 10)
    t.match(await scan(), { gone: 1, failed: 0 })
    t.match(await scan(), { gone: 0, failed: 0 }, 'once')
  },
)
