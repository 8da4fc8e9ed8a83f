import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { protoPath } from 'grpc-health-check'
import type { TlsFiles } from '../tls/tls.ts'
import { channelCredentials } from '../tls/tls-credentials.ts'

type Check = (
  request: { service: string },
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: { status: string }) => void,
) => void

/**
 * A readiness check of a gRPC backend through the standard health protocol, over the same mTLS
 * as real calls: it passes only when the backend answers SERVING within `timeoutMs`.
 */
export function grpcHealthCheck(options: { address: string; tls: TlsFiles; service?: string; timeoutMs?: number }) {
  const definition = protoLoader.loadSync(protoPath, { enums: String })
  const Health = (
    grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: typeof grpc.Client } } } }
  ).grpc.health.v1.Health
  const client = new Health(options.address, channelCredentials(options.tls)) as grpc.Client & {
    Check: Check
  }
  const check = () =>
    new Promise<void>((resolve, reject) => {
      client.Check({ service: options.service ?? '' }, { deadline: Date.now() + (options.timeoutMs ?? 1_000) }, (err, res) => {
        if (err) reject(new Error(`unreachable (${grpc.status[err.code]})`))
        else if (res?.status !== 'SERVING') reject(new Error(res?.status ?? 'no status'))
        else resolve()
      })
    })
  return { check, close: () => client.close() }
}
