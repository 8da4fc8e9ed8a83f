// The fault suite: while files are ingested and items are edited through the gateway, each fault
// happens in turn (the catalog, the search service, the Kafka broker and the ingestion service
// killed with SIGKILL mid-work, PostgreSQL restarted, the S3 server killed mid-object, the issuer's
// JWKS endpoint and Redis away), each then started again; afterwards the catalog and the search
// index hold exactly the expected items at the expected versions, nothing lost or applied twice,
// and every service is ready again without help. Each outcome is printed as a table row.
//
// Reduced in CI (FAULT_RECORDS=3000, FAULT_JWKS_DOWN_SECONDS=5, FAULT_REDIS_DOWN_SECONDS=5 by
// default); FAULT_RECORDS=200000 FAULT_JWKS_DOWN_SECONDS=60 FAULT_REDIS_DOWN_SECONDS=60 for the full run.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevIdentity, mintDevToken } from '@catalog/gateway/dev-identity'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { pollUntil, testCerts } from '@catalog/kit/testing'
import { loadCatalog, loadIngestion } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import pg from 'pg'
import type { Test } from 'tap'
import t from 'tap'
import type { Readiness } from './platform.ts'
import {
  gateway,
  healthy,
  jwksEndpoint,
  readiness,
  service,
  slowLink,
  startBroker,
  startDatabaseServer,
  startObjectStore,
  startRedis,
} from './platform.ts'

const N = Number(process.env.FAULT_RECORDS ?? 3_000)
const EDITS = 50
/** Items a client edits through the gateway without pause while the faults happen. */
const LIVE = 10
const TENANT = 'faults'
/** How long the issuer's JWKS endpoint stays away; FAULT_JWKS_DOWN_SECONDS=60 for the full run. */
const JWKS_DOWN_SECONDS = Number(process.env.FAULT_JWKS_DOWN_SECONDS ?? 5)
/** How long Redis stays away; FAULT_REDIS_DOWN_SECONDS=60 for the full run. */
const REDIS_DOWN_SECONDS = Number(process.env.FAULT_REDIS_DOWN_SECONDS ?? 5)

type GatewayInit = Omit<RequestInit, 'headers'> & { headers?: Record<string, string> }
/** A JSON request to a gateway as `bearer`, given up after 10 s. */
const gatewayCall = (base: string, path: string, bearer: string, init: GatewayInit = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...init.headers },
    signal: AbortSignal.timeout(10_000),
  })

/** Waits until every process reports `check` failing, then asserts each is still ready, only degraded. */
async function reportsOutage(t: Test, probe: () => Promise<Readiness[]>, check: string, label: string) {
  const during = await pollUntil(
    probe,
    (states) => states.every((r) => r.checks?.[check] !== undefined && r.checks[check] !== 'ok'),
    30_000,
  ).catch(() => undefined)
  t.ok(during, label, { during })
  t.ok(
    during?.every((r) => r.ready && r.degraded),
    'degraded, but still serving',
    { during },
  )
}

t.test(`faults while ${N} records are ingested and items edited through the gateway: nothing lost, nothing twice`, async (t) => {
  const broker = await startBroker(t)
  const root = await mkdtemp(join(tmpdir(), 'faults-drop-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  // The tenant's area under the root: the only folder its file jobs may read.
  const area = join(root, 'tenants', TENANT)
  await mkdir(area, { recursive: true })
  const kafka = broker.env
  const postgres = await startDatabaseServer(t)
  const catalog = await service(t, 'catalog', await postgres.database('catalog'), kafka)
  const search = await service(t, 'search', await postgres.database('search'), {
    ...kafka,
    SEARCH_CONSUMER_GROUP: `faults-${Date.now()}`,
  })
  const ingestion = await service(t, 'ingestion', await postgres.database('ingestion'), {
    ...kafka,
    INGEST_FILE_ROOT: root,
    INGEST_JOB_LEASE_MS: '2000',
    INGEST_BATCH_RECORDS: '200',
    INGESTION_APPLIED_GROUP: `ingestion-applied-faults-${Date.now()}`,
  })
  const all = [catalog, search, ingestion]

  const tls = testCerts().of('gateway')
  const catalogClient = createUnaryClient(loadCatalog().grpc.catalog.v1.CatalogService.service, {
    address: catalog.address(),
    tls,
    defaultTimeoutMs: 10_000,
  })
  const ingestionClient = createUnaryClient(loadIngestion().grpc.ingestion.v1.IngestionService.service, {
    address: ingestion.address(),
    tls,
    defaultTimeoutMs: 10_000,
  })
  t.teardown(() => {
    catalogClient.close()
    ingestionClient.close()
  })
  const as = () => ({ metadata: writePrincipal(new Metadata(), { tenant: TENANT, subject: 'faults', scopes: [] }) })
  // Pools, not clients: the suite's own connections come back after the PostgreSQL restart too.
  const pool = (url: string) => new pg.Pool({ connectionString: url, max: 2 }).on('error', () => undefined)
  const catalogDb = pool(catalog.databaseUrl)
  const searchDb = pool(search.databaseUrl)
  t.teardown(() => Promise.all([catalogDb.end(), searchDb.end()]))
  const count = async (client: pg.Pool, table: string) =>
    (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant = $1`, [TENANT])).rows[0]?.n ?? 0

  // The input, and items edited through the API beside it.
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({ source: 'drop', external_id: `r${i}`, title: `Record ${i}`, tags: ['faults'] }),
  )
  await writeFile(join(area, 'input.ndjson'), `${lines.join('\n')}\n`)
  const start = () => ingestionClient.call('StartIngestion', { uri: `file:///tenants/${TENANT}/input.ndjson` }, as())
  const edited: string[] = []
  for (let i = 0; i < EDITS; i++) {
    const { item } = await catalogClient.call(
      'CreateItem',
      { source: 'api', external_id: `e${i}`, fields: { title: `Edited ${i}` } },
      as(),
    )
    edited.push(item?.id ?? '')
  }
  // The gateway in front of the catalog: every edit below goes through it, as a client's would.
  const identity = await mkdtemp(join(tmpdir(), 'faults-identity-'))
  t.teardown(() => rm(identity, { recursive: true, force: true }))
  const front = await gateway(t, catalog.address(), {
    AUTH_JWKS_URL: await ensureDevIdentity(identity),
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    RATE_LIMIT_TENANT_PER_MINUTE: '1000000',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
  })
  const token = await mintDevToken({ dir: identity, tenant: TENANT, scopes: ['items:read', 'items:write'] })
  /** PATCH a title through the gateway, expecting `version`: the status, or 0 when no answer came. */
  const patch = (id: string, version: number, title: string) =>
    gatewayCall(front.url, `/v1/items/${id}`, token, {
      method: 'PATCH',
      headers: { 'if-match': `"${version}"` },
      body: JSON.stringify({ title }),
    })
      .then(async (res) => {
        await res.arrayBuffer()
        return res.status
      })
      .catch(() => 0)
  /**
   * One edit, sent until it is settled: true once applied, else the status that refused it. A 412
   * after tries that got no answer or a 5xx means one of those applied it (only this suite writes
   * the item): If-Match makes a resend harmless, so the edit lands once, however often it is sent.
   * A 412 at the first try, or any other 4xx, is a refusal, which the suite counts as a defect.
   */
  const settle = async (id: string, version: number, title: string, seen?: Map<number, number>) => {
    const deadline = Date.now() + 120_000
    for (let tries = 0; ; tries++) {
      const status = await patch(id, version, title)
      seen?.set(status, (seen.get(status) ?? 0) + 1)
      if (status === 200 || (status === 412 && tries > 0)) return true
      if (status >= 400 && status < 500 && status !== 429) return status
      if (Date.now() > deadline) throw new Error(`an edit of ${id} did not settle in 120 s; the last answer: ${status}`)
      await sleep(50)
    }
  }
  const edit = async (i: number) => {
    const settled = await settle(edited[i] ?? '', 1, `Edited ${i}, twice`)
    if (settled !== true) throw new Error(`edit ${i} refused: ${settled}`)
  }

  // Throughout the faults, a client edits other items through the gateway without pause, each edit
  // expecting the version the one before made.
  const live = [] as { id: string; version: number; title: string }[]
  for (let i = 0; i < LIVE; i++) {
    const { item } = await catalogClient.call(
      'CreateItem',
      { source: 'api', external_id: `l${i}`, fields: { title: 'Live' } },
      as(),
    )
    live.push({ id: item?.id ?? '', version: 1, title: 'Live' })
  }
  const answers = new Map<number, number>()
  const refused: number[] = []
  let editing = true
  let liveEdits = 0
  const editor = (async () => {
    for (let n = 0; editing; n++) {
      const item = live[n % LIVE] as (typeof live)[number]
      const title = `Live edit ${n}`
      const settled = await settle(item.id, item.version, title, answers)
      if (settled === true) {
        item.version++
        item.title = title
        liveEdits++
      } else refused.push(settled)
      await sleep(5)
    }
  })()

  const outcomes: string[] = []
  const recovered = async (label: string, begun: number) => {
    // On a timeout, the error carries what each service last said of itself, and what a dead one wrote.
    await pollUntil(
      () => Promise.all(all.map(readiness)),
      (states) => states.every((r) => r.ready && !r.degraded),
      120_000,
    ).catch((err: Error) => {
      const dead = all.filter((s) => s.process().child.exitCode !== null)
      throw new Error(`${err.message}; exited: ${dead.map((s) => `${s.name}: ${s.process().stderr().slice(-2_000)}`).join('; ')}`)
    })
    outcomes.push(`| ${label} | ready again after ${((performance.now() - begun) / 1000).toFixed(1)} s |`)
  }
  const midway = (fraction: number) =>
    pollUntil(
      () => count(catalogDb, 'items'),
      (n) => n >= EDITS + N * fraction,
      120_000,
    )

  await start()
  // 1. The catalog (its relay and ingest consumer) killed mid-batch.
  await midway(0.15)
  let begun = performance.now()
  await catalog.kill()
  await catalog.start()
  await recovered('catalog killed (SIGKILL) mid-batch, restarted', begun)
  for (let i = 0; i < EDITS / 2; i++) await edit(i)

  // 2. The search service killed while it indexes.
  await pollUntil(
    () => count(searchDb, 'search_items'),
    (n) => n > EDITS,
    120_000,
  )
  begun = performance.now()
  await search.kill()
  await search.start()
  await recovered('search killed (SIGKILL) mid-batch, restarted', begun)

  // 3. The Kafka broker killed, and back after a pause.
  begun = performance.now()
  broker.kill()
  // While it is down, each service says so, and keeps serving what it can.
  await reportsOutage(t, () => Promise.all(all.map(readiness)), 'kafka', 'readiness reports the broker outage in every service')
  await broker.start()
  await recovered('Kafka broker killed (SIGKILL), restarted after 3 s', begun)
  for (let i = EDITS / 2; i < EDITS; i++) await edit(i)

  // Files started again until one run of each completes: a job a fault failed is started anew,
  // a running one answers as a duplicate, a completed one is the end. Long enough for the fault
  // to land mid-file.
  const M = Math.max(N, 20_000)
  const file = async (name: string, prefix: string) => {
    const records = Array.from({ length: M }, (_, i) =>
      JSON.stringify({ source: 'drop', external_id: `${prefix}${i}`, title: `${name} ${i}`, tags: ['faults'] }),
    )
    await writeFile(join(area, `${name}.ndjson`), `${records.join('\n')}\n`)
    const startFile = () => ingestionClient.call('StartIngestion', { uri: `file:///tenants/${TENANT}/${name}.ndjson` }, as())
    return {
      start: startFile,
      completed: () =>
        pollUntil(
          () => startFile().catch(() => undefined),
          (res) => res?.duplicate === true && res.job?.state === 'JOB_STATE_COMPLETED',
          300_000,
        ),
    }
  }

  // 4. PostgreSQL restarted (a clean stop and start) while a second file is ingested.
  const second = await file('second', 's')
  await second.start()
  begun = performance.now()
  await postgres.stop()
  await new Promise((r) => setTimeout(r, 2_000))
  await postgres.start()
  await recovered('PostgreSQL restarted (stopped 2 s) mid-file', begun)
  await second.completed()

  // 5. The ingestion service killed mid-file: a third file, killed just after its job starts; once
  // the dead job's lease runs out, the file is started again and runs to its end.
  const third = await file('third', 'x')
  const first = await third.start()
  begun = performance.now()
  await ingestion.kill()
  await ingestion.start()
  await recovered('ingestion killed (SIGKILL) mid-file, restarted', begun)
  const done = await third.completed()
  outcomes.push(
    `| the killed file started again | ${
      done?.job?.id === first.job?.id ? 'the first job had read it all: nothing to restart' : 'a new job ran it to its end'
    }, ${((performance.now() - begun) / 1000).toFixed(1)} s after the kill |`,
  )

  editing = false
  await editor
  t.same(refused, [], 'no edit through the gateway refused for a reason of its own')
  t.same(
    [...answers.keys()].filter((s) => ![200, 412, 503, 504].includes(s)),
    [],
    'while a part is away the gateway says so (503, or 504 at the deadline): never a 500, never silence',
    { answers },
  )
  t.ok(liveEdits > 0, `${liveEdits} edits through the gateway during the faults`)
  const tally = [...answers].sort(([a], [b]) => a - b).map(([status, n]) => `${status || 'no answer'} × ${n}`)
  outcomes.push(
    `| edits through the gateway, without pause through faults 1 to 5, each expecting the last version | ${liveEdits} made, each once; answers: ${tally.join(', ')} |`,
  )

  // Everything settles: exactly the expected items, at the expected versions, in both stores.
  const expected = N + 2 * M + EDITS + LIVE
  await pollUntil(
    () => count(catalogDb, 'items'),
    (n) => n >= expected,
    300_000,
  )
  await pollUntil(
    () => count(searchDb, 'search_items'),
    (n) => n >= expected,
    300_000,
  )
  const versions = async (client: pg.Pool, table: string) =>
    new Map(
      (
        await client.query<{ id: string; version: string }>(`SELECT id, version::text FROM ${table} WHERE tenant = $1`, [TENANT])
      ).rows.map((r) => [r.id, r.version]),
    )
  const inCatalog = await pollUntil(
    () => versions(catalogDb, 'items'),
    (m) => m.size === expected,
    60_000,
  )
  t.equal(inCatalog.size, expected, 'the catalog holds every record and every edited item, once')
  const liveIds = new Set(live.map((l) => l.id))
  const byVersion = [...inCatalog]
    .filter(([id]) => !liveIds.has(id))
    .reduce((acc, [, v]) => acc.set(v, (acc.get(v) ?? 0) + 1), new Map<string, number>())
  t.same(
    Object.fromEntries(byVersion),
    { '1': N + 2 * M, '2': EDITS },
    'each record applied once (version 1), each edit once (version 2)',
  )
  const liveRows = await catalogDb.query<{ id: string; version: string; title: string }>(
    'SELECT id, version::text, title FROM items WHERE id = ANY($1::uuid[])',
    [[...liveIds]],
  )
  t.same(
    liveRows.rows.map((r) => ({ id: r.id, version: Number(r.version), title: r.title })).sort((a, b) => a.id.localeCompare(b.id)),
    live.map((l) => ({ id: l.id, version: l.version, title: l.title })).sort((a, b) => a.id.localeCompare(b.id)),
    'each item edited through the gateway holds its last edit, at one version per edit',
  )
  const inSearch = await pollUntil(
    () => versions(searchDb, 'search_items'),
    (m) => m.size === expected && [...m].every(([id, v]) => inCatalog.get(id) === v),
    120_000,
  ).catch(() => undefined)
  t.ok(inSearch, 'the search index holds the same items at the same versions')
  t.ok((await Promise.all(all.map(healthy))).every(Boolean), 'every service is ready, with every backend up')
  t.ok((await front.readiness()).ready, 'and the gateway in front of them')
  t.comment(['| fault | outcome |', '| --- | --- |', ...outcomes].join('\n'))
})

t.test('the S3 server killed mid-file: the job fails with a clear error, a rerun completes, each record once', async (t) => {
  const broker = await startBroker(t)
  const postgres = await startDatabaseServer(t)
  const s3 = await startObjectStore(t)
  const root = await mkdtemp(join(tmpdir(), 'faults-drop-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const keys = { AWS_ACCESS_KEY_ID: s3.accessKey, AWS_SECRET_ACCESS_KEY: s3.secretKey }
  // Ingestion reaches the store through a link that passes 1 MiB/s, so the kill comes mid-file.
  const link = await slowLink(t, Number(new URL(s3.endpoint).port), 1024 ** 2)
  const catalog = await service(t, 'catalog', await postgres.database('catalog'), broker.env)
  const ingestion = await service(t, 'ingestion', await postgres.database('ingestion'), {
    ...broker.env,
    INGEST_FILE_ROOT: root,
    INGEST_S3_BUCKETS: 'drops',
    S3_ENDPOINT: link.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    INGEST_JOB_LEASE_MS: '2000',
    ...keys,
  })

  // At 1 MiB/s, 30,000 records take two seconds: the kill, one second in, lands mid-object.
  const M = Math.max(N, 30_000)
  const body = Array.from({ length: M }, (_, i) =>
    JSON.stringify({ source: 'drop', external_id: `o${i}`, title: `Object record ${i}` }),
  ).join('\n')
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey },
  })
  t.teardown(() => client.destroy())
  await client.send(new CreateBucketCommand({ Bucket: 'drops' }))
  await client.send(new PutObjectCommand({ Bucket: 'drops', Key: `tenants/${TENANT}/big.ndjson`, Body: `${body}\n` }))

  const ingestionClient = createUnaryClient(loadIngestion().grpc.ingestion.v1.IngestionService.service, {
    address: ingestion.address(),
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 10_000,
  })
  t.teardown(() => ingestionClient.close())
  const as = () => ({ metadata: writePrincipal(new Metadata(), { tenant: TENANT, subject: 'faults', scopes: [] }) })
  const startFile = () => ingestionClient.call('StartIngestion', { uri: `s3://drops/tenants/${TENANT}/big.ndjson` }, as())

  const { job } = await startFile()
  await new Promise((r) => setTimeout(r, 1_000))
  // The store goes away: the server killed, and the connections to it cut.
  s3.kill()
  await link.down()
  const ended = await pollUntil(
    () => ingestionClient.call('GetIngestion', { id: job?.id ?? '' }, as()).then((r) => r.job),
    (j) => j?.state !== 'JOB_STATE_RUNNING',
    60_000,
  )
  t.equal(ended?.state, 'JOB_STATE_FAILED', 'the job, cut mid-file, fails')
  t.match(ended?.error, /^ING_ERR_SOURCE_UNAVAILABLE: /, 'saying why, with a stable code', { error: ended?.error })
  t.ok(Number(ended?.processed) > 0 && Number(ended?.processed) < M, 'after part of the file', { processed: ended?.processed })
  t.ok((await readiness(ingestion)).ready, 'ingestion stays up and ready')

  await s3.start()
  await link.up()
  // Started again, the file runs to its end; a completed job answers as a duplicate.
  await pollUntil(
    () => startFile().catch(() => undefined),
    (res) => res?.duplicate === true && res.job?.state === 'JOB_STATE_COMPLETED',
    300_000,
  )
  const db = new pg.Pool({ connectionString: catalog.databaseUrl, max: 1 }).on('error', () => undefined)
  t.teardown(() => db.end())
  const versions = await pollUntil(
    async () =>
      (
        await db.query<{ n: number; v: string }>(
          'SELECT count(*)::int AS n, max(version)::text AS v FROM items WHERE tenant = $1',
          [TENANT],
        )
      ).rows[0],
    (r) => r?.n === M,
    300_000,
  )
  t.same(versions, { n: M, v: '1' }, 'every record of the object applied once')
})

t.test('the JWKS endpoint, then Redis, down while items are edited through two gateways: nothing lost or doubled', async (t) => {
  const postgres = await startDatabaseServer(t)
  const catalog = await service(t, 'catalog', await postgres.database('catalog'), {})
  const redis = await startRedis(t)
  const dir = await mkdtemp(join(tmpdir(), 'faults-identity-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const issuer = await jwksEndpoint(t, await ensureDevIdentity(join(dir, 'issuer')))
  const settings = (failOpen: boolean) => ({
    AUTH_JWKS_URL: issuer.url,
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    // Keys go stale at once and verified tokens are not remembered: every request leans on the
    // key cache, and each gateway keeps trying the issuer while it is away.
    AUTH_JWKS_CACHE_MAX_AGE_MS: '1000',
    AUTH_JWKS_COOLDOWN_MS: '500',
    AUTH_VERIFIED_CACHE_MS: '0',
    REDIS_URL: redis.url,
    RATE_LIMIT_FAIL_OPEN: String(failOpen),
    RATE_LIMIT_TENANT_PER_MINUTE: '1000000',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
  })
  const gateways = {
    open: await gateway(t, catalog.address(), settings(true)),
    closed: await gateway(t, catalog.address(), settings(false)),
  }
  const both = () => Promise.all([gateways.open.readiness(), gateways.closed.readiness()])
  const token = await mintDevToken({ dir: join(dir, 'issuer'), tenant: TENANT, scopes: ['items:read', 'items:write'] })
  // Signed by a key the issuer has not published: a rotation no gateway can learn while it is away.
  const unpublished = await mintDevToken({ dir: join(dir, 'rotated'), tenant: TENANT, scopes: ['items:read'] })
  const call = (base: string, path: string, init: GatewayInit = {}, bearer = token) => gatewayCall(base, path, bearer, init)

  const ids: string[] = []
  for (let i = 0; i < 20; i++) {
    const res = await call(gateways.open.url, '/v1/items', {
      method: 'POST',
      body: JSON.stringify({ source: 'api', external_id: `g${i}`, title: `Gateway item ${i}` }),
    })
    ids.push(((await res.json()) as { id: string }).id)
  }
  // Each gateway edits its own items without pause, each edit a real change; what each answered is counted.
  const editor = (name: keyof typeof gateways, mine: string[]) => {
    const statuses = new Map<number, number>()
    const applied = new Map<string, number>()
    const refusals = new Set<string>()
    let running = true
    const done = (async () => {
      for (let i = 0; running; i++) {
        const id = mine[i % mine.length] as string
        const res = await call(gateways[name].url, `/v1/items/${id}`, {
          method: 'PATCH',
          body: JSON.stringify({ title: `${name} edit ${i}` }),
        }).catch(() => undefined)
        const status = res?.status ?? 0
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status === 200) applied.set(id, (applied.get(id) ?? 0) + 1)
        else refusals.add(`${status} ${res?.headers.get('content-type')}`)
        await res?.arrayBuffer()
        await sleep(5)
      }
    })()
    const ok = () => statuses.get(200) ?? 0
    return {
      statuses,
      applied,
      refusals,
      ok,
      /** Resolves once `more` further edits have succeeded. */
      progress: (more = 5) => {
        const from = ok()
        return pollUntil(ok, (n) => n >= from + more, 30_000)
      },
      stop: async () => {
        running = false
        await done
      },
    }
  }
  const edits = { open: editor('open', ids.slice(0, 10)), closed: editor('closed', ids.slice(10)) }
  const served = () => edits.open.ok() + edits.closed.ok()
  await Promise.all([edits.open.progress(), edits.closed.progress()])
  const outcomes: string[] = []
  const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`

  // 1. The issuer's JWKS endpoint away.
  const downFor = JWKS_DOWN_SECONDS * 1000
  let begun = performance.now()
  let before = served()
  await issuer.down()
  await reportsOutage(t, both, 'jwks_refresh', 'readiness reports the issuer outage in both gateways')
  const stranger = await call(gateways.open.url, `/v1/items/${ids[0]}`, {}, unpublished)
  t.equal(stranger.status, 401, 'a token of a key the gateway could not learn is refused')
  t.match(stranger.headers.get('content-type'), /application\/problem\+json/)
  await stranger.arrayBuffer()
  await sleep(Math.max(0, downFor - (performance.now() - begun)))
  const onCachedKeys = served() - before
  t.ok(onCachedKeys > 0, `${onCachedKeys} edits served on the cached keys while the issuer was away`)
  await issuer.up()
  let back = performance.now()
  await pollUntil(both, (rs) => rs.every((r) => r.ready && !r.degraded), 60_000)
  outcomes.push(
    `| JWKS endpoint down ${JWKS_DOWN_SECONDS} s | both gateways ready and degraded (\`jwks_refresh\`) meanwhile; ${onCachedKeys} edits served on cached keys, none refused; a token of an unpublished key 401; healthy ${seconds(back)} after it came back |`,
  )

  // 2. Redis killed: the fail-open gateway lets edits through, the fail-closed one answers 503.
  begun = performance.now()
  before = edits.open.ok()
  redis.kill()
  await reportsOutage(t, both, 'redis', 'readiness reports the Redis outage in both gateways')
  await pollUntil(
    () => edits.closed.statuses.get(503) ?? 0,
    (n) => n > 0,
    30_000,
  )
  await edits.open.progress()
  t.ok(
    [gateways.open, gateways.closed].every((g) => g.process.child.exitCode === null),
    'both gateway processes live on',
  )
  await sleep(Math.max(0, REDIS_DOWN_SECONDS * 1000 - (performance.now() - begun)))
  t.ok(
    (await both()).every((r) => r.ready && r.checks?.redis !== 'ok'),
    'still ready, still reporting Redis away, at the end of the outage',
  )
  const redisDown = seconds(begun)
  await redis.start()
  back = performance.now()
  await pollUntil(both, (rs) => rs.every((r) => r.ready && !r.degraded), 60_000)
  await edits.closed.progress()
  outcomes.push(
    `| Redis killed (SIGKILL), down ${redisDown}, restarted | both gateways ready and degraded (\`redis\`) meanwhile; fail-open: ${edits.open.ok() - before} edits through; fail-closed: ${edits.closed.statuses.get(503)} edits 503; healthy ${seconds(back)} after it came back |`,
  )

  await Promise.all([edits.open.stop(), edits.closed.stop()])
  t.same([...edits.open.statuses.keys()], [200], 'the fail-open gateway took every edit', { statuses: edits.open.statuses })
  t.same(
    [...edits.closed.statuses.keys()].sort(),
    [200, 503],
    'the fail-closed gateway took every edit but those it refused while Redis was away',
    { statuses: edits.closed.statuses },
  )
  t.same([...edits.closed.refusals], ['503 application/problem+json; charset=utf-8'], 'each refusal a problem+json')
  // Nothing accepted lost, nothing applied twice: each item's version is one plus its accepted edits.
  const db = new pg.Pool({ connectionString: catalog.databaseUrl, max: 1 })
  t.teardown(() => db.end())
  const { rows } = await db.query<{ id: string; version: string }>('SELECT id, version::text FROM items WHERE tenant = $1', [
    TENANT,
  ])
  const accepted = (id: string) => 1 + (edits.open.applied.get(id) ?? 0) + (edits.closed.applied.get(id) ?? 0)
  t.same(
    Object.fromEntries(rows.map((r) => [r.id, r.version])),
    Object.fromEntries(ids.map((id) => [id, String(accepted(id))])),
    `every one of ${served()} accepted edits is in the catalog, once`,
  )
  t.comment(['| fault | outcome |', '| --- | --- |', ...outcomes].join('\n'))
})
