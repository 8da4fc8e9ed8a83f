import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { protoPath as healthProto } from 'grpc-health-check'
import t from 'tap'
import type { CallerPolicy, TlsFiles } from '../src/index.ts'
import {
  createGrpcServer,
  createMetrics,
  createUnaryClient,
  fieldViolationsOf,
  identityOf,
  implement,
  invalidArgument,
  PRINCIPAL_HEADERS,
  serverCredentials,
  startOpsServer,
  writePrincipal,
} from '../src/index.ts'
import { silentLogger, testCerts } from '../src/testing/index.ts'

const { definition, grpc: proto } = loadCatalog()
const service = proto.catalog.v1.CatalogService.service
const certs = testCerts()
const policy: CallerPolicy = {
  allow: { 'catalog.v1.CatalogService': ['gateway'], '/catalog.v1.CatalogService/GetItem': ['gateway', 'search'] },
  forwarders: ['gateway'],
}

const seen: { caller?: string; tenant?: string; callers: Map<string, string> } = { callers: new Map() }
let releaseSlow: () => void = () => undefined

async function start(options: { maxConnectionAgeMs?: number } = {}) {
  const metrics = createMetrics({ service: 'test', defaultMetrics: false })
  const server = createGrpcServer({
    tls: certs.of('catalog'),
    trustDomain: 'catalog.platform',
    policy,
    log: silentLogger(),
    metrics,
    definitions: [definition],
    ...options,
  })
  server.addService(
    service,
    implement<catalog.CatalogServiceHandlers>(silentLogger(), {
      async GetItem(req, ctx) {
        seen.caller = ctx.caller
        seen.callers.set(req.id, ctx.caller)
        if (ctx.metadata.get(PRINCIPAL_HEADERS.tenant).length > 0) seen.tenant = ctx.principal().tenant
        if (req.id === 'slow') await new Promise<void>((resolve) => (releaseSlow = resolve))
        if (req.id === 'bad') throw invalidArgument([{ field: 'id', description: 'must be a UUID' }])
        if (req.id === 'boom') throw new Error('database password is hunter2')
        return { item: { id: req.id, version: '1' } }
      },
      BatchGetItems: async () => ({}),
      CreateItem: async () => ({}),
      UpsertItem: async () => ({}),
      UpdateItem: async () => ({}),
      DeleteItem: async () => ({}),
      ListPriceHistory: async () => ({}),
      SummarizePriceHistory: async () => ({}),
      ListPriceChanges: async () => ({}),
      RepublishItems: async () => ({}),
    }),
  )
  const ports = await server.listen({ host: '127.0.0.1', port: 0, healthPort: 0 })
  server.setServing(true)
  return { server, metrics, ...ports }
}

function client(port: number, tls: TlsFiles) {
  return createUnaryClient(service, { address: `localhost:${port}`, tls, defaultTimeoutMs: 5_000 })
}

t.test('mTLS and the caller policy', async (t) => {
  const { server, port } = await start()
  t.teardown(() => server.shutdown(1_000))

  await t.test('an allowed caller is served and its identity reaches the handler', async (t) => {
    const c = client(port, certs.of('gateway'))
    t.teardown(() => c.close())
    const res = await c.call('GetItem', { id: 'a' })
    t.equal(res.item?.id, 'a')
    t.equal(seen.caller, 'gateway')
  })

  await t.test('a client without a certificate is refused at the handshake', async (t) => {
    const tls = certs.of('gateway')
    const bare = new grpc.Client(`localhost:${port}`, grpc.credentials.createSsl(tls.ca))
    t.teardown(() => bare.close())
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      bare.makeUnaryRequest(
        service.GetItem.path,
        service.GetItem.requestSerialize,
        service.GetItem.responseDeserialize,
        { id: 'a' },
        new grpc.Metadata(),
        { deadline: Date.now() + 3_000 },
        (e) => resolve(e as grpc.ServiceError),
      ),
    )
    t.equal(err.code, grpc.status.UNAVAILABLE)
  })

  await t.test('a certificate from another CA is refused', async (t) => {
    const foreign = certs.foreign('gateway')
    const c = client(port, { ...foreign, ca: certs.of('gateway').ca })
    t.teardown(() => c.close())
    await t.rejects(c.call('GetItem', { id: 'a' }), { code: grpc.status.UNAVAILABLE })
  })

  await t.test('a platform identity outside the allow-list gets PERMISSION_DENIED', async (t) => {
    const c = client(port, certs.of('stranger'))
    t.teardown(() => c.close())
    await t.rejects(c.call('GetItem', { id: 'a' }), { code: grpc.status.PERMISSION_DENIED })
  })

  await t.test('the allow-list is per method', async (t) => {
    const c = client(port, certs.of('search'))
    t.teardown(() => c.close())
    const res = await c.call('GetItem', { id: 'b' })
    t.equal(res.item?.id, 'b', 'search may call GetItem')
    await t.rejects(c.call('CreateItem', {}), { code: grpc.status.PERMISSION_DENIED }, 'but not CreateItem')
  })

  await t.test('a certificate of another trust domain has no identity: UNAUTHENTICATED', async (t) => {
    const c = client(port, certs.otherTrustDomain('gateway'))
    t.teardown(() => c.close())
    await t.rejects(c.call('GetItem', { id: 'a' }), { code: grpc.status.UNAUTHENTICATED })
  })

  await t.test('a forwarded principal is trusted from the gateway only', async (t) => {
    const gw = client(port, certs.of('gateway'))
    const search = client(port, certs.of('search'))
    t.teardown(() => {
      gw.close()
      search.close()
    })
    const principal = { tenant: 'acme', subject: 'u1', scopes: ['items:read'] }
    await gw.call('GetItem', { id: 'a' }, { metadata: writePrincipal(new grpc.Metadata(), principal) })
    t.equal(seen.tenant, 'acme')
    await t.rejects(search.call('GetItem', { id: 'a' }, { metadata: writePrincipal(new grpc.Metadata(), principal) }), {
      code: grpc.status.PERMISSION_DENIED,
    })
  })

  await t.test('a call past its deadline ends with DEADLINE_EXCEEDED', async (t) => {
    const c = client(port, certs.of('gateway'))
    t.teardown(() => {
      releaseSlow()
      c.close()
    })
    await t.rejects(c.call('GetItem', { id: 'slow' }, { deadline: new Date(Date.now() + 200) }), {
      code: grpc.status.DEADLINE_EXCEEDED,
    })
  })

  await t.test('a forged caller identity header is overwritten by the verified one', async (t) => {
    const c = client(port, certs.of('search'))
    t.teardown(() => c.close())
    const md = new grpc.Metadata()
    md.set('x-caller-identity', 'gateway')
    await c.call('GetItem', { id: 'a' }, { metadata: md })
    t.equal(seen.caller, 'search')
  })
})

t.test('the caller identity belongs to the connection', async (t) => {
  const { server, port } = await start({ maxConnectionAgeMs: 500 })
  const gw = client(port, certs.of('gateway'))
  const search = client(port, certs.of('search'))
  const intruder = client(port, certs.otherTrustDomain('gateway'))
  t.teardown(async () => {
    for (const c of [gw, search, intruder]) c.close()
    await server.shutdown(1_000)
  })

  await t.test('two clients with different certificates each get their own identity', async (t) => {
    const ids = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'gw' : 'search'}-${i}`)
    await Promise.all(ids.map((id) => (id.startsWith('gw') ? gw : search).call('GetItem', { id })))
    for (const id of ids) t.equal(seen.callers.get(id), id.startsWith('gw') ? 'gateway' : 'search', id)
  })

  await t.test('a certificate without a platform identity is refused on every call of its connection', async (t) => {
    await t.rejects(intruder.call('GetItem', { id: 'a' }), { code: grpc.status.UNAUTHENTICATED })
    await t.rejects(intruder.call('GetItem', { id: 'a' }), { code: grpc.status.UNAUTHENTICATED }, 'and again')
    t.equal((await gw.call('GetItem', { id: 'after' })).item?.id, 'after', 'while the others are served')
    t.equal(seen.callers.get('after'), 'gateway')
  })

  await t.test('a call after a reconnect still works, with the identity of the new connection', async (t) => {
    await gw.call('GetItem', { id: 'before-reconnect' })
    const channel = gw.raw.getChannel()
    t.equal(channel.getConnectivityState(false), grpc.connectivityState.READY)
    // The server's maximum connection age closes the connection (GOAWAY); the channel leaves READY.
    const left = await new Promise<boolean>((resolve) =>
      channel.watchConnectivityState(grpc.connectivityState.READY, Date.now() + 5_000, (err) => resolve(!err)),
    )
    t.ok(left, 'the connection was closed')
    await gw.call('GetItem', { id: 'reconnected' })
    t.equal(seen.callers.get('reconnected'), 'gateway')
  })
})

t.test('grpc-js reads the peer certificate once per connection (patches/@grpc__grpc-js@1.14.7.patch)', async (t) => {
  const contexts: ReturnType<grpc.ServerInterceptingCallInterface['getAuthContext']>[] = []
  const server = new grpc.Server({
    interceptors: [
      (_method, call) => {
        contexts.push(call.getAuthContext())
        return new grpc.ServerInterceptingCall(call)
      },
    ],
  })
  server.addService(service, { GetItem: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, {}) })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', serverCredentials(certs.of('catalog')), (err, p) => (err ? reject(err) : resolve(p))),
  )
  const gw = client(port, certs.of('gateway'))
  const search = client(port, certs.of('search'))
  t.teardown(() => {
    gw.close()
    search.close()
    server.forceShutdown()
  })
  await gw.call('GetItem', { id: 'a' })
  await gw.call('GetItem', { id: 'b' })
  await search.call('GetItem', { id: 'c' })
  const [first, second, other] = contexts
  t.equal(first, second, 'the calls of one connection share one auth context')
  t.not(first, other, 'another connection has its own')
  t.ok(Object.isFrozen(first) && Object.isFrozen(first?.sslPeerCertificate), 'which no call can alter')
  t.equal(identityOf(first?.sslPeerCertificate, 'catalog.platform'), 'gateway')
  t.equal(identityOf(other?.sslPeerCertificate, 'catalog.platform'), 'search')
})

t.test('errors become statuses in one place', async (t) => {
  const { server, port } = await start()
  const c = client(port, certs.of('gateway'))
  t.teardown(async () => {
    c.close()
    await server.shutdown(1_000)
  })

  const bad = await c.call('GetItem', { id: 'bad' }).catch((e: grpc.ServiceError) => e)
  t.equal((bad as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT)
  t.same(fieldViolationsOf(bad as grpc.ServiceError), [{ field: 'id', description: 'must be a UUID' }])

  const boom = (await c.call('GetItem', { id: 'boom' }).catch((e: grpc.ServiceError) => e)) as grpc.ServiceError
  t.equal(boom.code, grpc.status.INTERNAL)
  t.equal(boom.details, 'internal error', 'no internal message leaks')
})

t.test('health, metrics and graceful shutdown', async (t) => {
  const { server, port, healthPort, metrics } = await start()
  const healthDef = protoLoader.loadSync(healthProto, { enums: String })
  const Health = (
    grpc.loadPackageDefinition(healthDef) as unknown as {
      grpc: { health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & { Check: Function } } } }
    }
  ).grpc.health.v1.Health
  const probe = new Health(`127.0.0.1:${healthPort}`, grpc.credentials.createInsecure())
  const check = (name: string) =>
    new Promise<{ status: string }>((resolve, reject) =>
      probe.Check({ service: name }, (err: Error | null, res: { status: string }) => (err ? reject(err) : resolve(res))),
    )
  t.same(await check(''), { status: 'SERVING' }, 'the plaintext health port answers kubelet-style probes')
  t.same(await check('catalog.v1.CatalogService'), { status: 'SERVING' })

  const c = client(port, certs.of('gateway'))
  await c.call('GetItem', { id: 'x' })
  const ops = await startOpsServer({ port: 0, host: '127.0.0.1', registry: metrics.registry, checks: {} })
  const text = await (await fetch(`http://127.0.0.1:${ops.port}/metrics`)).text()
  t.match(text, /grpc_server_handled_total\{service="catalog.v1.CatalogService",method="GetItem",code="OK",app="test"\} 1/)
  t.equal((await fetch(`http://127.0.0.1:${ops.port}/readyz`)).status, 200)
  await ops.close()

  const slow = c.call('GetItem', { id: 'slow' })
  await new Promise((r) => setTimeout(r, 100))
  const stopped = server.shutdown(5_000)
  t.same(await check(''), { status: 'NOT_SERVING' }, 'health turns NOT_SERVING as soon as shutdown starts')
  releaseSlow()
  const res = await slow
  t.equal(res.item?.id, 'slow', 'an in-flight call completes during shutdown')
  await stopped
  await t.rejects(c.call('GetItem', { id: 'late' }), { code: grpc.status.UNAVAILABLE }, 'new calls are refused after')
  c.close()
  probe.close()
})
