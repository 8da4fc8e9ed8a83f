import { startIngestConsumer, startTestCatalog } from '@catalog/catalog-service/testing'
import { createMetrics } from '@catalog/kit'
import { pollUntil, silentLogger, startAtEnd } from '@catalog/kit/testing'
import type { ingestion } from '@catalog/proto'
import { events } from '@catalog/proto'
import t from 'tap'
import { startTestIngestion } from '../src/testing.ts'
import { appliedReader, broker } from './applied-helpers.ts'
import { as, finished, ingestionClient, item, ndjson, writeInput } from './helpers.ts'

const log = silentLogger()

t.test(
  '100,000 records: the job is never completed before the catalog applied every accepted one',
  { timeout: 300_000 },
  async (t) => {
    const cat = await startTestCatalog(t)
    const ing = await startTestIngestion(t, { awaitApplied: true, batchRecords: 1_000 })
    const { kafka, producer } = await broker(t, 'applied-load')
    const group = `catalog-load-${Date.now()}`
    await appliedReader(t, ing, kafka, 'applied-load', group)
    const client = ingestionClient(t, ing.address)
    const tenant = `applied-load-${Date.now()}`
    const n = 100_000
    const bad = new Set([17, 40_000, 99_999])
    const records = Array.from({ length: n }, (_, i) =>
      bad.has(i) ? item(i, { price: { amount_minor: -1, currency: 'EUR' } }) : item(i, { description: '' }),
    )
    const uri = await writeInput(ing.fileRoot, tenant, 'load.ndjson', ndjson(records))
    // The catalog's group starts at the broker's end now, and applies nothing until the job is read.
    await startAtEnd(kafka, group, events.INGESTION_TOPICS.record)
    const started = await client.call('StartIngestion', { uri }, as(tenant))
    const id = started.job?.id ?? ''
    const read = await pollUntil(
      () => client.call('GetIngestion', { id }, as(tenant)),
      (r) => r.job?.state !== 'JOB_STATE_RUNNING',
      240_000,
    )
    t.match(read.job, { state: 'JOB_STATE_APPLYING', accepted: String(n - bad.size), rejected: String(bad.size) })

    const items = async () =>
      (await cat.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE tenant = $1', [tenant])).rows[0]?.n ?? 0
    const ingest = await startIngestConsumer(kafka, {
      pool: cat.pool,
      producer,
      log,
      metrics: createMetrics({ service: 'applied-load', defaultMetrics: false }),
      groupId: group,
    })
    t.teardown(() => ingest.stop())
    // Each look at the job reads it first and the catalog after: a job completed early would be caught with fewer items.
    const seen = new Map<string, number>()
    let job: ingestion.Job__Output | null = null
    for (let look = 0; ; look++) {
      job = (await client.call('GetIngestion', { id }, as(tenant))).job
      const landed = await items()
      const state = job?.state ?? ''
      seen.set(state, (seen.get(state) ?? 0) + 1)
      if (state === 'JOB_STATE_COMPLETED') {
        t.equal(landed, n - bad.size, 'every accepted record is in the catalog when the job says completed')
        break
      }
      if (state !== 'JOB_STATE_APPLYING' || look > 6_000) throw new Error(`not applying nor completed: ${JSON.stringify(job)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    t.match(job, { applied: String(n - bad.size), catalog_rejected: '0' })
    t.ok((seen.get('JOB_STATE_APPLYING') ?? 0) > 0, 'the job was seen applying while the catalog caught up')
    t.equal((await finished(client, tenant, id)).state, 'JOB_STATE_COMPLETED')
  },
)
