// Ingests a file through the gateway and shows its progress until the job ends.
//
//   node scripts/ingest.ts data/tenants/demo/samples/catalog.ndjson     upload a local NDJSON or JSON file (POST /v1/items:bulk)
//   node scripts/ingest.ts file:///tenants/demo/samples/catalog.ndjson  start a job from a URI the ingestion service reads
//   node scripts/ingest.ts s3://bucket/tenants/demo/daily/2026-11-22.csv.gz
//   node scripts/ingest.ts github-gists://octocat                      a GitHub user's gists, one item each
//   node scripts/ingest.ts --replay <job id>                           re-drive a job's dead letters, once the cause is fixed
//   node scripts/ingest.ts --replay-since 2026-12-01T00:00:00Z [--replay-until …]   or those of a window
// (URIs name a file in the token's tenant's area, tenants/<tenant>/ by default.)
//
// env: GATEWAY_URL (http://localhost:8080), TOKEN (a bearer token with ingest:write)
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    source: { type: 'string' },
    'idempotency-key': { type: 'string' },
    replay: { type: 'string' },
    'replay-since': { type: 'string' },
    'replay-until': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
const target = positionals[0]
const replaying = Boolean(values.replay || values['replay-since'])
if ((values.replay && values['replay-since']) || (values['replay-until'] && !values['replay-since']) || (replaying && target)) {
  console.error('error: --replay <job id>, or --replay-since with an optional --replay-until, and no file')
  process.exit(2)
}
if ((!target && !replaying) || values.help) {
  console.error(
    [
      'usage: bash scripts/node scripts/ingest.ts <file | file://... | s3://... | github-gists://<user>> [--source name] [--idempotency-key key]',
      '       bash scripts/node scripts/ingest.ts --replay <job id>',
      '       bash scripts/node scripts/ingest.ts --replay-since <instant> [--replay-until <instant>]',
    ].join('\n'),
  )
  process.exit(target || replaying ? 0 : 2)
}
const gateway = process.env.GATEWAY_URL ?? 'http://localhost:8080'
const token = process.env.TOKEN
if (!token) {
  console.error('error: set TOKEN to a bearer token with the ingest:write scope (scripts/start.sh prints one)')
  process.exit(2)
}
const auth = { authorization: `Bearer ${token}` }

interface Job {
  id: string
  state: string
  processed: number
  accepted: number
  rejected: number
  applied: number
  catalog_rejected: number
  bytes_read: number
  bytes_total: number
  rate: number
  errors: { position: number; field: string; reason: string }[]
  error: string | null
}

async function answer(res: Response): Promise<Job> {
  const body = (await res.json()) as Job & { detail?: string; title?: string }
  if (!res.ok) {
    console.error(`error: ${res.status} ${body.title ?? ''}: ${body.detail ?? JSON.stringify(body)}`)
    process.exit(1)
  }
  return body
}

const bars = new cliProgress.MultiBar(
  { format: ' {name} |{bar}| {percentage}% {value}/{total} {unit} {extra}', hideCursor: true, clearOnComplete: false },
  cliProgress.Presets.shades_classic,
)
let job: Job
if (replaying) {
  const json = { 'content-type': 'application/json' }
  job = await answer(
    values.replay
      ? await fetch(`${gateway}/v1/ingestions/${encodeURIComponent(values.replay)}/replay`, { method: 'POST', headers: auth })
      : await fetch(`${gateway}/v1/ingestions:replay`, {
          method: 'POST',
          headers: { ...auth, ...json },
          body: JSON.stringify({
            since: values['replay-since'],
            ...(values['replay-until'] ? { until: values['replay-until'] } : {}),
          }),
        }),
  )
} else if (!target) {
  process.exit(2)
} else if (/^(file|s3|github-gists):\/\//.test(target)) {
  job = await answer(
    await fetch(`${gateway}/v1/ingestions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ uri: target, ...(values.source ? { source: values.source } : {}) }),
    }),
  )
} else {
  const size = (await stat(target)).size
  const upload = bars.create(size, 0, { name: 'upload ', unit: 'bytes', extra: '' })
  const file = createReadStream(target, { highWaterMark: 256 * 1024 })
  file.on('data', (chunk) => upload.increment(chunk.length))
  const query = new URLSearchParams({
    name: target.split('/').at(-1) ?? 'upload',
    ...(values.source ? { source: values.source } : {}),
  })
  job = await answer(
    await fetch(`${gateway}/v1/items:bulk?${query}`, {
      method: 'POST',
      headers: {
        ...auth,
        'content-type': target.endsWith('.json') ? 'application/json' : 'application/x-ndjson',
        ...(values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {}),
      },
      body: Readable.toWeb(file) as ReadableStream,
      duplex: 'half',
    } as RequestInit),
  )
}
const progress = bars.create(Math.max(1, job.bytes_total), 0, { name: 'records', unit: 'bytes read', extra: '' })
// The catalog's side: accepted records it applied (or refused), up to `completed`.
const catalog = bars.create(1, 0, { name: 'catalog', unit: 'records applied', extra: '' })
for (;;) {
  progress.setTotal(Math.max(1, job.bytes_total || job.bytes_read))
  progress.update(job.bytes_read, {
    name: 'records',
    unit: 'bytes read',
    extra: `${job.processed} records, ${job.rejected} rejected, ${job.rate}/s`,
  })
  catalog.setTotal(Math.max(1, job.accepted))
  catalog.update(job.applied + job.catalog_rejected, {
    name: 'catalog',
    unit: 'records applied',
    extra: job.catalog_rejected > 0 ? `${job.catalog_rejected} refused` : '',
  })
  if (job.state !== 'running' && job.state !== 'applying') break
  await new Promise((r) => setTimeout(r, 500))
  job = await answer(await fetch(`${gateway}/v1/ingestions/${job.id}`, { headers: auth }))
}
bars.stop()
console.log(
  `\njob ${job.id}: ${job.state}; ${job.accepted} accepted, ${job.rejected} rejected; ${job.applied} applied, ${job.catalog_rejected} refused by the catalog${job.error ? ` (${job.error})` : ''}`,
)
for (const e of job.errors.slice(0, 10)) console.log(`  at ${e.position}${e.field ? ` ${e.field}` : ''}: ${e.reason}`)
process.exit(job.state === 'completed' ? 0 : 1)
