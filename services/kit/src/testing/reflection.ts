import * as grpc from '@grpc/grpc-js'
import type { TlsFiles } from '../tls/tls.ts'

/**
 * The status a server-reflection call (v1, asking to list the services) ends with for a client of
 * `tls`: OK when the server answers it, else the status it refuses with.
 */
export function reflectionStatus(address: string, tls: TlsFiles): Promise<grpc.status> {
  const client = new grpc.Client(address, grpc.credentials.createSsl(tls.ca, tls.key, tls.cert))
  const call = client.makeBidiStreamRequest(
    '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
    (b: Buffer) => b,
    (b: Buffer) => b,
  )
  return new Promise((resolve) => {
    call.on('data', () => call.end())
    call.on('error', () => undefined)
    call.on('status', ({ code }) => {
      client.close()
      resolve(code)
    })
    call.write(Buffer.from([0x3a, 0x00])) // field 7, list_services: ''
  })
}
