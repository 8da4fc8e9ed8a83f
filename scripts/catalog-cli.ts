// Calls the local catalog as the gateway would: over mTLS with the gateway's development
// certificate, forwarding a principal of the given tenant.
//
//   node scripts/catalog-cli.ts <Method> '<request as JSON>' [--tenant demo] [--address localhost:50051]
//   node scripts/catalog-cli.ts republish [--tenant demo]   every live item of the tenant published
//                                                           again (RepublishItems page by page), for
//                                                           readers to rebuild their views
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createUnaryClient, fieldViolationsOf, readTlsFiles, writePrincipal } from '@catalog/kit'
import { jsonToStruct, loadCatalog } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { tenant: { type: 'string', default: 'demo' }, address: { type: 'string', default: 'localhost:50051' } },
})
const [method, body = '{}'] = positionals
const service = loadCatalog().grpc.catalog.v1.CatalogService.service
if (!method || !(method in service || method === 'republish')) {
  console.error(
    `usage: bash scripts/node scripts/catalog-cli.ts <${[...Object.keys(service), 'republish'].join('|')}> '<json>' [--tenant t] [--address host:port]`,
  )
  process.exit(2)
}
const request = JSON.parse(body)
// Attributes are a google.protobuf.Struct on the wire; accept plain JSON here.
if (request.fields?.attributes) request.fields.attributes = jsonToStruct(request.fields.attributes)

const certs = resolve(import.meta.dirname, '../.certs')
const client = createUnaryClient(service, {
  address: values.address ?? 'localhost:50051',
  tls: readTlsFiles({ caFile: join(certs, 'ca.crt'), certFile: join(certs, 'gateway.crt'), keyFile: join(certs, 'gateway.key') }),
  defaultTimeoutMs: 5_000,
})
const metadata = writePrincipal(new Metadata(), { tenant: values.tenant ?? 'demo', subject: 'cli', scopes: [] })
try {
  if (method === 'republish') {
    let after = ''
    let total = 0
    do {
      const page = await client.call(
        'RepublishItems',
        { after_id: after, limit: 5_000 },
        { metadata, deadline: new Date(Date.now() + 60_000) },
      )
      total += page.published
      after = page.next_after_id
      process.stderr.write(`\rrepublished ${total.toLocaleString()} items`)
    } while (after)
    process.stderr.write('\n')
  } else {
    // biome-ignore lint/suspicious/noExplicitAny: the method name is checked against the service above
    const response = await client.call(method as any, request as never, { metadata })
    console.log(JSON.stringify(response, null, 2))
  }
} catch (err) {
  const e = err as { code?: number; details?: string; metadata?: Metadata }
  console.error(`error ${e.code}: ${e.details}`)
  const violations = fieldViolationsOf(err as never)
  for (const v of violations) console.error(`  ${v.field}: ${v.description}`)
  process.exitCode = 1
} finally {
  client.close()
}
