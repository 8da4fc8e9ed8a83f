import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { protoPath as healthProto } from 'grpc-health-check'
import protobuf from 'protobufjs'
import descriptor from 'protobufjs/ext/descriptor/index.js'
import t from 'tap'
import { Type } from 'typebox'
import type { CallerPolicy } from '../src/index.ts'
import {
  ConfigError,
  createGrpcServer,
  createMetrics,
  grpcServerEnv,
  implement,
  list,
  loadConfig,
  writePrincipal,
} from '../src/index.ts'
import { silentLogger, testCerts } from '../src/testing/index.ts'

const require = createRequire(import.meta.url)
const { definition, grpc: proto } = loadCatalog()
const certs = testCerts()

async function start(policy: CallerPolicy) {
  const server = createGrpcServer({
    tls: certs.of('catalog'),
    trustDomain: 'catalog.platform',
    policy,
    log: silentLogger(),
    metrics: createMetrics({ service: 'test', defaultMetrics: false }),
    definitions: [definition],
  })
  const empty = async () => ({})
  server.addService(
    proto.catalog.v1.CatalogService.service,
    implement<catalog.CatalogServiceHandlers>(silentLogger(), {
      GetItem: empty,
      BatchGetItems: empty,
      CreateItem: empty,
      UpsertItem: empty,
      UpdateItem: empty,
      DeleteItem: empty,
      ListPriceHistory: empty,
      SummarizePriceHistory: empty,
      ListPriceChanges: empty,
      RepublishItems: empty,
    }),
  )
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, healthPort: 0 })
  server.setServing(true)
  return { server, port }
}

const credentialsOf = (identity: string) => {
  const tls = certs.of(identity)
  return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert)
}

type ReflectionClient = grpc.Client & {
  ServerReflectionInfo(): grpc.ClientDuplexStream<object, { list_services_response?: { service: { name: string }[] } }>
}

/** The services the server lists to `identity` over reflection `version`, or the status it refuses with. */
async function listServices(port: number, identity: string, version: 'v1' | 'v1alpha'): Promise<string[]> {
  const file = join(dirname(require.resolve('@grpc/reflection')), `../proto/grpc/reflection/${version}/reflection.proto`)
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(file, { keepCase: true })) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: typeof grpc.Client }> }
  }
  const Reflection = loaded.grpc.reflection[version]?.ServerReflection as typeof grpc.Client
  const client = new Reflection(`localhost:${port}`, credentialsOf(identity)) as ReflectionClient
  try {
    const stream = client.ServerReflectionInfo()
    return await new Promise<string[]>((resolve, reject) => {
      stream.on('data', (reply) => {
        resolve((reply.list_services_response?.service ?? []).map((s: { name: string }) => s.name))
        stream.end()
      })
      stream.on('error', reject)
      stream.write({ list_services: '' })
    })
  } finally {
    client.close()
  }
}

t.test('server reflection answers the identities listed for it and refuses any other, an allowed caller too', async (t) => {
  const { server, port } = await start({
    allow: { 'catalog.v1.CatalogService': ['gateway', 'search'] },
    forwarders: ['gateway'],
    reflection: ['gateway'],
  })
  t.teardown(() => server.shutdown(1_000))
  for (const version of ['v1', 'v1alpha'] as const) {
    t.ok((await listServices(port, 'gateway', version)).includes('catalog.v1.CatalogService'), `${version}: listed`)
    for (const identity of ['search', 'stranger'])
      await t.rejects(listServices(port, identity, version), { code: grpc.status.PERMISSION_DENIED }, `${version}: ${identity}`)
  }
})

t.test(
  'reflection serves the real contract files, imports included, so a client without our protos links every type',
  async (t) => {
    const { server, port } = await start({
      allow: { 'catalog.v1.CatalogService': ['gateway'] },
      forwarders: ['gateway'],
      reflection: ['gateway'],
    })
    t.teardown(() => server.shutdown(1_000))
    t.same(await listServices(port, 'gateway', 'v1'), ['catalog.v1.CatalogService'], 'only the services this server implements')

    const file = join(dirname(require.resolve('@grpc/reflection')), '../proto/grpc/reflection/v1/reflection.proto')
    const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(file, { keepCase: true })) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: typeof grpc.Client } } }
    }
    const client = new loaded.grpc.reflection.v1.ServerReflection(
      `localhost:${port}`,
      credentialsOf('gateway'),
    ) as grpc.Client & {
      ServerReflectionInfo(): grpc.ClientDuplexStream<object, { file_descriptor_response?: { file_descriptor_proto: Buffer[] } }>
    }
    t.teardown(() => client.close())
    const filesFor = (symbol: string) =>
      new Promise<{ name: string; dependency: string[]; messageType?: { name: string }[] }[]>((resolve, reject) => {
        const stream = client.ServerReflectionInfo()
        stream.on('data', (reply) => {
          resolve(
            (reply.file_descriptor_response?.file_descriptor_proto ?? []).map(
              (b: Buffer) =>
                descriptor.FileDescriptorProto.decode(b) as unknown as {
                  name: string
                  dependency: string[]
                  messageType?: { name: string }[]
                },
            ),
          )
          stream.end()
        })
        stream.on('error', reject)
        stream.write({ file_containing_symbol: symbol })
      })
    const files = await filesFor('catalog.v1.UpdateItemRequest')
    const byName = new Map(files.map((f) => [f.name, f]))
    t.ok(
      byName.get('catalog/v1/catalog_service.proto')?.dependency.includes('google/protobuf/field_mask.proto'),
      'its real name and imports',
    )
    t.same(
      byName.get('google/protobuf/field_mask.proto')?.messageType?.map((m) => m.name),
      ['FieldMask'],
      'the imported well-known type comes with it (grpcurl could not resolve it before)',
    )

    // A client with nothing but what reflection served: build the types, describe a method, call it.
    const served = await filesFor('catalog.v1.CatalogService')
    // protobufjs/ext/descriptor adds Root.fromDescriptor at runtime; its typings do not say so.
    const root = (protobuf.Root as unknown as { fromDescriptor(set: object): protobuf.Root }).fromDescriptor({ file: served })
    const service = root.lookupService('catalog.v1.CatalogService')
    const update = service.methods.UpdateItem as protobuf.Method
    t.ok(update, 'described from the served files alone')
    update.resolve()
    const request = update.resolvedRequestType as protobuf.Type
    const response = update.resolvedResponseType as protobuf.Type
    t.equal(request.fields.update_mask?.resolvedType?.fullName, '.google.protobuf.FieldMask', 'with every type linked')
    const caller = new grpc.Client(`localhost:${port}`, credentialsOf('gateway'))
    t.teardown(() => caller.close())
    const body = request
      .encode(request.fromObject({ id: '0190a3c4-0000-7000-8000-000000000001', update_mask: { paths: ['title'] } }))
      .finish()
    const metadata = writePrincipal(new grpc.Metadata(), { tenant: 'acme', subject: 'me', scopes: [] })
    const answer = await new Promise<Buffer>((resolve, reject) =>
      caller.makeUnaryRequest(
        '/catalog.v1.CatalogService/UpdateItem',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(body),
        metadata,
        (err, res) => (err ? reject(err) : resolve(res as Buffer)),
      ),
    )
    t.same(response.toObject(response.decode(answer)), {}, 'called and answered')
  },
)

t.test('with nobody listed, reflection is not offered; health still answers any platform identity', async (t) => {
  const { server, port } = await start({ allow: { 'catalog.v1.CatalogService': ['gateway'] }, forwarders: ['gateway'] })
  t.teardown(() => server.shutdown(1_000))
  for (const version of ['v1', 'v1alpha'] as const)
    await t.rejects(listServices(port, 'gateway', version), { code: grpc.status.UNIMPLEMENTED }, version)

  const Health = (
    grpc.loadPackageDefinition(protoLoader.loadSync(healthProto, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & { Check: Function } } } }
    }
  ).grpc.health.v1.Health
  const probe = new Health(`localhost:${port}`, credentialsOf('stranger'))
  t.teardown(() => probe.close())
  const health = await new Promise<{ status: string }>((resolve, reject) =>
    probe.Check({ service: '' }, (err: Error | null, res: { status: string }) => (err ? reject(err) : resolve(res))),
  )
  t.same(health, { status: 'SERVING' }, 'over mTLS, to an identity no policy names')
})

t.test('the settings: forwarders among the allowed callers, reflection for whom it names', async (t) => {
  const schema = Type.Object({
    CATALOG_ALLOWED_CALLERS: Type.String({ default: 'gateway' }),
    CATALOG_FORWARDERS: Type.String({ default: 'gateway' }),
    GRPC_REFLECTION_CALLERS: grpcServerEnv.GRPC_REFLECTION_CALLERS,
  })

  await t.test('a forwarder that is not an allowed caller stops the start, naming both settings', async (t) => {
    const err = t.throws(() => loadConfig(schema, { CATALOG_ALLOWED_CALLERS: 'gateway', CATALOG_FORWARDERS: 'gateway,search' }))
    t.ok(err instanceof ConfigError)
    t.match((err as Error).message, /CATALOG_FORWARDERS names "search", which CATALOG_ALLOWED_CALLERS does not/)
    t.throws(() => loadConfig(schema, { CATALOG_ALLOWED_CALLERS: 'search' }), { message: /"gateway"/ }, 'the default too')
  })

  await t.test('forwarders are named one by one: * stops the start', async (t) => {
    t.throws(() => loadConfig(schema, { CATALOG_ALLOWED_CALLERS: '*', CATALOG_FORWARDERS: '*' }), {
      message: /CATALOG_FORWARDERS must name each forwarder/,
    })
  })

  await t.test('forwarders among the callers, or none, start', async (t) => {
    const config = loadConfig(schema, { CATALOG_ALLOWED_CALLERS: 'gateway, search', CATALOG_FORWARDERS: 'gateway' })
    t.same(list(config.CATALOG_FORWARDERS), ['gateway'])
    t.same(list(loadConfig(schema, { CATALOG_ALLOWED_CALLERS: 'search', CATALOG_FORWARDERS: '' }).CATALOG_FORWARDERS), [])
  })

  await t.test('reflection is for the gateway by default; an empty value offers it to nobody', async (t) => {
    t.same(list(loadConfig(schema, {}).GRPC_REFLECTION_CALLERS), ['gateway'])
    t.same(list(loadConfig(schema, { GRPC_REFLECTION_CALLERS: '' }).GRPC_REFLECTION_CALLERS), [])
  })
})
