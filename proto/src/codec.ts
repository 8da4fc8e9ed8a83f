import protobuf from 'protobufjs'
import { PROTO_ROOT } from './loader.ts'

const FILES = [
  'catalog/v1/events.proto',
  'ingestion/v1/ingestion_events.proto',
  'google/rpc/status.proto',
  'google/rpc/error_details.proto',
]

// The same object shape as the gRPC loader produces (see LOADER_OPTIONS).
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, oneofs: true }

let root: protobuf.Root | undefined

function load(): protobuf.Root {
  if (root) return root
  const r = new protobuf.Root()
  r.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : `${PROTO_ROOT}/${target}`)
  r.loadSync(FILES, { keepCase: true })
  root = r
  return r
}

/** Encodes and decodes one message type by its full name, for Kafka payloads and error details. */
export interface Codec<In, Out> {
  readonly typeName: string
  encode(message: In): Buffer
  decode(bytes: Uint8Array): Out
}

export function codec<In extends object, Out>(typeName: string): Codec<In, Out> {
  const type = load().lookupType(typeName)
  return {
    typeName,
    encode: (message) => Buffer.from(type.encode(type.fromObject(message)).finish()),
    decode: (bytes) => type.toObject(type.decode(bytes), TO_OBJECT) as Out,
  }
}
