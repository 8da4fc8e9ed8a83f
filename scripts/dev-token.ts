// Prints a development token signed by the dev identity (see dev-identity.ts).
//   node scripts/dev-token.ts --tenant demo --scope "items:read items:write" [--ttl 3600] [--sub dev-user]
//                             [--dir .data/dev-identity] [--issuer ...] [--audience ...]
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEV_AUDIENCE, DEV_ISSUER, mintDevToken } from '@catalog/gateway/dev-identity'

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'demo' },
    scope: { type: 'string', default: 'items:read items:write search:read ingest:write' },
    ttl: { type: 'string', default: '3600' },
    sub: { type: 'string', default: 'dev-user' },
    dir: { type: 'string', default: '.data/dev-identity' },
    issuer: { type: 'string', default: process.env.AUTH_ISSUER ?? DEV_ISSUER },
    audience: { type: 'string', default: process.env.AUTH_AUDIENCE ?? DEV_AUDIENCE },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log(
    'usage: bash scripts/node scripts/dev-token.ts --tenant demo --scope "items:read items:write" [--ttl 3600] [--sub dev-user]',
  )
  process.exit(0)
}
const ttlSec = Number(values.ttl)
if (!Number.isInteger(ttlSec) || ttlSec <= 0) {
  console.error(`--ttl must be a positive number of seconds, not "${values.ttl}"`)
  process.exit(2)
}
console.log(
  await mintDevToken({
    dir: resolve(values.dir ?? '.data/dev-identity'),
    tenant: values.tenant ?? 'demo',
    scopes: (values.scope ?? '').split(' ').filter(Boolean),
    subject: values.sub,
    ttlSec,
    issuer: values.issuer,
    audience: values.audience,
  }),
)
