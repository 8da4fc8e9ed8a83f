// What the kit's server path (caller policy, metrics, handler wrapper, the per-call log line) costs
// a gRPC call: the server process's CPU time per call (so the client's work and the machine's other
// load do not count) for a trivial unary handler over mTLS, beside a bare grpc-js server with the
// same certificates and handler measured in the same run. A client sends what the gateway sends: a
// forwarded principal and a traceparent.
//
//   source scripts/toolchain.sh && node scripts/bench/grpc-server.ts
//   env: BENCH_CALLS (20000 per round), BENCH_ROUNDS (5), BENCH_CONCURRENCY (32), LOG_LEVEL (info),
//   BENCH_SERVER_NODE_ARGS (for example `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the servers)
import { fork } from 'node:child_process'
import { once } from 'node:events'
import type { TlsFiles } from '@catalog/kit'
import { createLogger, createUnaryClient, readTlsFiles, serverCredentials, writePrincipal } from '@catalog/kit'
import { startStubService, testCerts } from '@catalog/kit/testing'
import type { catalog } from '@catalog/proto'
import { loadCatalog } from '@catalog/proto'
import * as grpc from '@grpc/grpc-js'
import { load, machine } from './load.ts'
import { withCpu } from './process-cpu.ts'

type Kind = 'kit' | 'bare'
const { definition, grpc: proto } = loadCatalog()
const service = proto.catalog.v1.CatalogService.service

async function serve(kind: Kind, tls: TlsFiles): Promise<number> {
  const getItem = async (id: string) => ({ item: { id, version: '1' } })
  if (kind === 'bare') {
    const server = new grpc.Server()
    server.addService(service, {
      GetItem: (call: grpc.ServerUnaryCall<{ id: string }, unknown>, callback: grpc.sendUnaryData<unknown>) =>
        void getItem(call.request.id).then((res) => callback(null, res)),
    })
    return new Promise((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', serverCredentials(tls), (err, port) => (err ? reject(err) : resolve(port))),
    )
  }
  // Logs go to stdout, a pipe the parent drains, as a container's do.
  const log = createLogger({ name: 'bench', level: process.env.LOG_LEVEL ?? 'info' })
  const { port } = await startStubService<catalog.CatalogServiceHandlers>(
    { identity: 'catalog', name: 'catalog.v1.CatalogService', definition, service, tls, log },
    {
      GetItem: (req, ctx) => {
        ctx.principal()
        return getItem(req.id)
      },
    },
  )
  return port
}

if (process.argv[2] === 'serve') {
  const { TLS_CA_FILE = '', TLS_CERT_FILE = '', TLS_KEY_FILE = '' } = process.env
  const tls = readTlsFiles({ caFile: TLS_CA_FILE, certFile: TLS_CERT_FILE, keyFile: TLS_KEY_FILE })
  const port = await serve(process.argv[3] as Kind, tls)
  process.on('disconnect', () => process.exit())
  process.send?.({ port })
} else {
  const calls = Number(process.env.BENCH_CALLS ?? 20_000)
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32)
  const certs = testCerts()
  const metadata = writePrincipal(new grpc.Metadata(), { tenant: 'bench', subject: 'u1', scopes: ['items:read'] })
  metadata.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')

  const start = async (kind: Kind) => {
    const child = fork(import.meta.filename, ['serve', kind], {
      env: { ...process.env, ...certs.env('catalog') },
      execArgv: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    })
    child.stdout?.resume()
    const [{ port }] = (await once(child, 'message')) as [{ port: number }]
    const client = createUnaryClient(service, {
      address: `localhost:${port}`,
      tls: certs.of('gateway'),
      defaultTimeoutMs: 10_000,
    })
    await client.call('GetItem', { id: 'a' }, { metadata })
    const run = (n: number) =>
      load(kind, { concurrency, seconds: 600, maxOps: n }, () => client.call('GetItem', { id: 'a' }, { metadata }))
    return { kind, child, client, run }
  }

  const servers = [await start('bare'), await start('kit')]
  for (const s of servers) await s.run(calls / 4)
  const perCall: Record<Kind, number[]> = { bare: [], kit: [] }
  const opsPerSec: Record<Kind, number[]> = { bare: [], kit: [] }
  for (let round = 0; round < rounds; round++) {
    for (const s of servers) {
      const { result, cpuSeconds } = await withCpu(s.child, () => s.run(calls))
      if (result.errors > 0) throw new Error(`${s.kind}: ${result.errors} calls failed`)
      perCall[s.kind].push((cpuSeconds * 1e6) / result.ops)
      opsPerSec[s.kind].push(result.opsPerSec)
    }
  }
  for (const s of servers) {
    s.client.close()
    s.child.disconnect()
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
  const [bare, kit] = [median(perCall.bare), median(perCall.kit)]
  console.log(`\n${machine()}; ${rounds} rounds of ${calls} unary calls at concurrency ${concurrency}, median round`)
  console.log(`  bare grpc-js server   ${bare.toFixed(1).padStart(6)} µs CPU/call   ${median(opsPerSec.bare).toFixed(0)} calls/s`)
  console.log(`  kit server            ${kit.toFixed(1).padStart(6)} µs CPU/call   ${median(opsPerSec.kit).toFixed(0)} calls/s`)
  console.log(`  the kit's cost        ${(kit - bare).toFixed(1).padStart(6)} µs CPU/call   ratio ${(kit / bare).toFixed(2)}`)
  console.log(
    `  every round (µs/call): bare ${perCall.bare.map((x) => x.toFixed(1)).join(' ')}; kit ${perCall.kit.map((x) => x.toFixed(1)).join(' ')}`,
  )
}
