import { isTenantId } from '@catalog/kit'

/**
 * Why the catalog cannot take a record's tenant as given, or undefined when it can. Only
 * ingestion may write ingestion.record.v1 (Kafka ACLs), and it sets the tenant from its caller's
 * principal and keys the record `<tenant>/<source>/<external_id>`
 * (services/ingestion/src/formats/item-mapper.ts). A record that breaks either came from somewhere
 * else or from a bug; applying it would write into whichever tenant it names.
 */
export function tenantProblem(tenant: string, key: Buffer | null): string | undefined {
  if (tenant === '') return 'tenant is missing'
  if (!isTenantId(tenant)) return 'tenant is not a well-formed tenant id'
  if (!key?.toString().startsWith(`${tenant}/`)) return 'tenant is not the one the record key names'
  return undefined
}
