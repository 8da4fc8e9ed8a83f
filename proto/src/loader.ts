import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import type { ProtoGrpcType as CatalogGrpc } from './gen/catalog_service.ts'
import type { ProtoGrpcType as IngestionGrpc } from './gen/ingestion_service.ts'
import type { ProtoGrpcType as SearchGrpc } from './gen/search_service.ts'

/** Where the .proto files live, for loaders and server reflection. */
export const PROTO_ROOT = fileURLToPath(new URL('..', import.meta.url))

// Must match the flags of gen.sh, or the generated types lie about the runtime objects.
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
}

export const CATALOG_PROTO = 'catalog/v1/catalog_service.proto'
export const SEARCH_PROTO = 'search/v1/search_service.proto'
export const INGESTION_PROTO = 'ingestion/v1/ingestion_service.proto'

export function loadDefinition(file: string): protoLoader.PackageDefinition {
  return protoLoader.loadSync(file, LOADER_OPTIONS)
}

export function loadCatalog(): { definition: protoLoader.PackageDefinition; grpc: CatalogGrpc } {
  const definition = loadDefinition(CATALOG_PROTO)
  return { definition, grpc: grpc.loadPackageDefinition(definition) as unknown as CatalogGrpc }
}

export function loadSearch(): { definition: protoLoader.PackageDefinition; grpc: SearchGrpc } {
  const definition = loadDefinition(SEARCH_PROTO)
  return { definition, grpc: grpc.loadPackageDefinition(definition) as unknown as SearchGrpc }
}

export function loadIngestion(): { definition: protoLoader.PackageDefinition; grpc: IngestionGrpc } {
  const definition = loadDefinition(INGESTION_PROTO)
  return { definition, grpc: grpc.loadPackageDefinition(definition) as unknown as IngestionGrpc }
}
