import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { errorCodeOf, fieldViolationsOf } from '@catalog/kit'
import { silentLogger } from '@catalog/kit/testing'
import type { ServiceError } from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { loadIngestionConfig } from '../src/config.ts'
import { createS3Client, s3Source } from '../src/sources/s3-source.ts'
import { startTestIngestion, testS3Env } from '../src/testing.ts'
import { dropScan, ingestSources } from '../src/wiring.ts'
import { as, finished, ingestionClient, item, ndjson, writeInput } from './helpers.ts'

const unique = () => `${Date.now()}-${Math.floor(Math.random() * 1e6)}`

type Answer = { code: number; error: string | undefined; field: string | undefined; details: string }
const answerOf = (err: ServiceError): Answer => ({
  code: err.code,
  error: errorCodeOf(err),
  field: fieldViolationsOf(err)[0]?.field,
  details: err.details,
})

t.test('a tenant cannot start a job on another tenant file, nor learn whether it exists', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const [a, b] = [`acme-${unique()}`, `rival-${unique()}`]
  const uri = await writeInput(ing.fileRoot, a, 'daily/2026-11-20.ndjson', ndjson([item(1), item(2)]))
  const start = (u: string, who: string) =>
    client.call('StartIngestion', { uri: u }, as(who)).catch((e: ServiceError) => answerOf(e))

  const there = await start(uri, b)
  const absent = await start(`file:///tenants/${a}/daily/2026-11-21.ndjson`, b)
  t.match(there, { code: status.PERMISSION_DENIED, error: 'ING_ERR_SOURCE_FORBIDDEN', field: 'uri' })
  t.same(absent, there, 'a file that exists and one that does not answer alike')
  t.match((there as Answer).details, `file:///tenants/${b}/`, 'the answer names where the caller may read')

  const mine = await client.call('StartIngestion', { uri }, as(a))
  t.equal((await finished(client, a, mine.job?.id ?? '')).accepted, '2', 'the owner reads it')
  const missing = await start(`file:///tenants/${a}/daily/2026-11-21.ndjson`, a)
  t.match(missing, { code: status.NOT_FOUND, field: 'uri' }, 'the owner learns what is missing in its own area')
})

t.test('path tricks never leave the caller area', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const a = `acme-${unique()}`
  const b = `${a}-evil`
  await writeInput(ing.fileRoot, a, 'x.ndjson', ndjson([item(1)]))
  await writeInput(ing.fileRoot, b, 'own.ndjson', ndjson([item(1)]))
  await writeFile(join(ing.fileRoot, 'root.ndjson'), ndjson([item(1)]))
  // Links an operator might leave in b's folder: to a's file and to a's whole folder.
  await symlink(join(ing.fileRoot, 'tenants', a, 'x.ndjson'), join(ing.fileRoot, 'tenants', b, 'link.ndjson'))
  await symlink(join(ing.fileRoot, 'tenants', a), join(ing.fileRoot, 'tenants', b, 'dir'))
  for (const uri of [
    `file:///tenants/${a}/x.ndjson`,
    `file:///tenants/${b}/../${a}/x.ndjson`,
    `file:///tenants/${b}/%2e%2e/${a}/x.ndjson`,
    `file:///tenants/${b}/.%2E/${a}/x.ndjson`,
    `file:///tenants/${b}%2F..%2F${a}/x.ndjson`,
    `file:///tenants/${b}\\..\\${a}/x.ndjson`,
    `file:///tenants/${b}/.\t./${a}/x.ndjson`,
    `file:///tenants//${b}/../${a}/x.ndjson`,
    `file:///tenants/${b}/link.ndjson`,
    `file:///tenants/${b}/dir/x.ndjson`,
    `file:///tenants/${a.toUpperCase()}/x.ndjson`,
    `file:///TENANTS/${b}/own.ndjson`,
    `file:///tenants/${b}`,
    'file:///root.ndjson',
    'file:///tenants/%zz/x.ndjson',
  ]) {
    const err = (await client.call('StartIngestion', { uri }, as(b)).catch((e: ServiceError) => e)) as ServiceError
    t.ok([status.PERMISSION_DENIED, status.INVALID_ARGUMENT].includes(err.code), `${uri} is refused`, { code: err.code })
    t.equal(fieldViolationsOf(err)[0]?.field, 'uri', `${uri}: names the field`)
  }
  const own = await client.call('StartIngestion', { uri: `file:///tenants/${b}//own.ndjson` }, as(b))
  t.equal((await finished(client, b, own.job?.id ?? '')).accepted, '1', 'a double slash inside the area still reads it')
})

t.test('s3:// objects are read only under the caller prefix', { skip: !testS3Env() }, async (t) => {
  const s3env = testS3Env()
  if (!s3env) return
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const [a, b] = [`acme-${unique()}`, `rival-${unique()}`]
  const s3 = createS3Client(s3env)
  await s3.send(new CreateBucketCommand({ Bucket: 'ingest-drops' })).catch(() => undefined)
  const key = `tenants/${a}/daily/2026-11-20.ndjson`
  await s3.send(new PutObjectCommand({ Bucket: 'ingest-drops', Key: key, Body: ndjson([item(1), item(2), item(3)]) }))
  t.teardown(() => s3.send(new DeleteObjectCommand({ Bucket: 'ingest-drops', Key: key })))
  const start = (uri: string, who: string) =>
    client.call('StartIngestion', { uri }, as(who)).catch((e: ServiceError) => answerOf(e))

  const there = await start(`s3://ingest-drops/${key}`, b)
  t.match(there, { code: status.PERMISSION_DENIED, error: 'ING_ERR_SOURCE_FORBIDDEN', field: 'uri' })
  t.same(await start(`s3://ingest-drops/tenants/${a}/daily/nothing.ndjson`, b), there, 'no existence oracle')
  t.same(await start(`s3://ingest-drops/daily/2026-11-20.ndjson`, b), there, 'outside every area')
  for (const uri of [
    `s3://ingest-drops/tenants/${b}/../${a}/daily/2026-11-20.ndjson`,
    `s3://ingest-drops/tenants/${b}/%2e%2e/${a}/daily/2026-11-20.ndjson`,
    `s3://ingest-drops/tenants/${b}/..%2F${a}/daily/2026-11-20.ndjson`,
    `s3://ingest-drops/tenants/${b}\\..\\${a}/daily/2026-11-20.ndjson`,
    `s3://ingest-drops/Tenants/${a}/daily/2026-11-20.ndjson`,
    `s3://ingest-drops//tenants/${a}/daily/2026-11-20.ndjson`,
  ]) {
    const err = await start(uri, b)
    t.ok('code' in err && [status.PERMISSION_DENIED, status.INVALID_ARGUMENT].includes(err.code), `${uri} is refused`)
    t.equal('field' in err && err.field, 'uri')
  }
  // Tenant ids are no prefix of one another's area: "acme-…-evil" does not reach "acme-…/".
  const evil = `${a}-evil`
  t.match(await start(`s3://ingest-drops/${key}`, evil), { code: status.PERMISSION_DENIED })

  const mine = await client.call('StartIngestion', { uri: `s3://ingest-drops/${key}` }, as(a))
  t.equal((await finished(client, a, mine.job?.id ?? '')).accepted, '3', 'the owner reads it')
  t.match(await start(`s3://ingest-drops/tenants/${a}/daily/nothing.ndjson`, a), { code: status.NOT_FOUND, field: 'uri' })

  // The listing a drop scan makes stays in the area too.
  const source = s3Source({ buckets: ['ingest-drops'], ...s3env }, s3)
  t.same(await source.list(new URL(`s3://ingest-drops/tenants/${a}/daily/`), `tenants/${a}/`), [`s3://ingest-drops/${key}`])
  await t.rejects(source.list(new URL('s3://ingest-drops/tenants/'), `tenants/${b}/`), { code: 'ING_ERR_SOURCE_FORBIDDEN' })
})

t.test('the drop schedule reads only the area of its own tenant', async (t) => {
  const ing = await startTestIngestion(t)
  const client = ingestionClient(t, ing.address)
  const [owner, other] = [`drops-${unique()}`, `other-${unique()}`]
  await writeInput(ing.fileRoot, owner, 'daily/2026-11-20.ndjson', ndjson([item(1)]))
  await writeInput(ing.fileRoot, other, 'daily/2026-11-20.ndjson', ndjson([item(2), item(3)]))
  const config = (DROP_URI: string) =>
    loadIngestionConfig({
      DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
      KAFKA_BROKERS: '127.0.0.1:1',
      TLS_CA_FILE: 'ca',
      TLS_CERT_FILE: 'crt',
      TLS_KEY_FILE: 'key',
      INGEST_FILE_ROOT: ing.fileRoot,
      DROP_TENANT: owner,
      DROP_URI,
    })
  const started: [string, string][] = []
  const deps = {
    pool: ing.pool,
    log: silentLogger(),
    start: async (tenant: string, uri: string) => {
      started.push([tenant, uri])
      return ing.jobs.startDrop(tenant, uri)
    },
  }
  for (const uri of [`file:///tenants/${other}/daily/`, 'file:///tenants/', 'file:///', `file:///tenants/${owner}`])
    t.throws(() => config(uri), { message: `DROP_URI must be under file:///tenants/${owner}/, the area of DROP_TENANT` }, uri)
  const c = config(`file:///tenants/${owner}/daily/`)
  const scan = dropScan(c, ingestSources(c, silentLogger()), deps)
  t.equal((await scan?.())?.started, 1)
  t.same(started, [[owner, `file:///tenants/${owner}/daily/2026-11-20.ndjson`]], 'as its tenant, in its area')
  const { jobs } = await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(owner))
  t.equal((await finished(client, owner, jobs[0]?.id ?? '')).accepted, '1')
  t.same((await client.call('ListIngestions', { page: { size: 10, cursor: '' } }, as(other))).jobs, [])
})

t.test('a tenant prefix that could not keep tenants apart stops the start, naming it', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ingest-prefix-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'x'))
  const env = {
    DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
    KAFKA_BROKERS: '127.0.0.1:1',
    TLS_CA_FILE: 'a',
    TLS_CERT_FILE: 'b',
    TLS_KEY_FILE: 'c',
  }
  for (const prefix of [
    '',
    'tenants/',
    '/tenants/{tenant}/',
    'tenants/{tenant}',
    'x-{tenant}/',
    '../{tenant}/',
    '{tenant}/{tenant}/',
    'a//{tenant}/',
  ])
    t.throws(() => loadIngestionConfig({ ...env, INGEST_TENANT_PREFIX: prefix }), { message: /INGEST_TENANT_PREFIX/ }, prefix)
  for (const prefix of ['{tenant}/', 'tenants/{tenant}/', 'catalog/{tenant}/in/'])
    t.equal(loadIngestionConfig({ ...env, INGEST_TENANT_PREFIX: prefix }).INGEST_TENANT_PREFIX, prefix)
  t.throws(() => loadIngestionConfig({ ...env, DROP_TENANT: 'a/b' }), { message: /DROP_TENANT/ })
})
