import { readFileSync } from 'node:fs'
import descriptor from 'protobufjs/ext/descriptor/index.js'

/**
 * The compiled descriptor of every contract file and of each file it imports, one encoded
 * `FileDescriptorProto` each, under their real names (`catalog/v1/catalog_service.proto`,
 * `google/protobuf/field_mask.proto`) and with their comments: what server reflection must serve
 * for a client without our .proto files (grpcurl) to link every type. `pnpm gen` builds them.
 */
export function contractFileDescriptors(): Uint8Array[] {
  const set = descriptor.FileDescriptorSet.decode(readFileSync(new URL('./gen/descriptors.binpb', import.meta.url)))
  return (set as unknown as { file: object[] }).file.map((file) => descriptor.FileDescriptorProto.encode(file).finish())
}
