// Makes (once) the development signing key and the JWKS the local gateway trusts.
//   node scripts/dev-identity.ts [--dir .data/dev-identity]
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureDevIdentity } from '@catalog/gateway/dev-identity'

const { values } = parseArgs({ options: { dir: { type: 'string', default: '.data/dev-identity' } } })
console.log(await ensureDevIdentity(resolve(values.dir ?? '.data/dev-identity')))
