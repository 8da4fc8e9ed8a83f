export type * as catalog from './catalog.ts'
export { type Codec, codec } from './codec.ts'
export * as events from './events.ts'
export type { Money, Money__Output } from './gen/common/v1/Money.ts'
export type { PageRequest__Output } from './gen/common/v1/PageRequest.ts'
export type { Struct, Struct__Output } from './gen/google/protobuf/Struct.ts'
export type { Timestamp, Timestamp__Output } from './gen/google/protobuf/Timestamp.ts'
export type { BadRequest, BadRequest__Output } from './gen/google/rpc/BadRequest.ts'
export type { Status, Status__Output } from './gen/google/rpc/Status.ts'
export type * as ingestion from './ingestion.ts'
export {
  checkExpectedVersion,
  checkFields,
  checkId,
  checkNaturalKey,
  FIELD_PATHS,
  type FieldPath,
  ItemRulesError,
  type ItemRuleViolation,
  type ItemValues,
  itemContentToJson,
  LIMITS as ITEM_LIMITS,
  type Price,
} from './item-rules.ts'
export {
  CATALOG_PROTO,
  INGESTION_PROTO,
  LOADER_OPTIONS,
  loadCatalog,
  loadDefinition,
  loadIngestion,
  loadSearch,
  PROTO_ROOT,
  SEARCH_PROTO,
} from './loader.ts'
export { contractFileDescriptors } from './reflection.ts'
export * as rpcStatus from './rpc-status.ts'
export type * as search from './search.ts'
export { type Json, type JsonObject, jsonToStruct, MAX_STRUCT_DEPTH, StructTooDeepError, structToJson } from './struct.ts'
export { fromTimestamp, toTimestamp } from './timestamp.ts'
