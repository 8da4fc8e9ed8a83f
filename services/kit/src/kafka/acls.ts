import { events } from '@catalog/proto'
import type { AclEntry, Kafka } from 'kafkajs'
import kafkajs from 'kafkajs'

// kafkajs builds its exports with a spread that hides these from Node's named-export detection.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs

/** The SASL user each service connects as, and the consumer groups the consumers join. */
export interface PlatformPrincipals {
  catalog: string
  search: string
  ingestion: string
  /** The catalog's group on ingestion.record.v1 (CATALOG_INGEST_GROUP). */
  catalogIngestGroup: string
  /** The search indexer's group on catalog.item.v1 (SEARCH_CONSUMER_GROUP). */
  searchGroup: string
  /** Ingestion's group on catalog.ingest.v1 (INGESTION_APPLIED_GROUP): the catalog's counts of each job's records. */
  ingestionAppliedGroup: string
  /** The gateway's user, for its item cache's invalidation stream (CACHE_ITEMS); unset: no grants. */
  gateway?: string
  /**
   * The prefix of the gateway's groups on catalog.item.v1 (CACHE_GROUP_PREFIX): each replica joins
   * a group of its own, `<prefix>.<host>.<random>`, so the grant names the prefix.
   */
  gatewayGroupPrefix?: string
  /**
   * Event-driven drops: the topic the object store publishes S3 event notifications to
   * (DROP_EVENTS_TOPIC), ingestion's group on it (DROP_EVENTS_GROUP, prefixed) and the object
   * store's own user, which may write there and nowhere else; unset: no grants.
   */
  dropEvents?: { topic: string; group: string; objectStore?: string }
}

export interface AclGrant {
  user: string
  resource: 'topic' | 'group'
  name: string
  operation: 'read' | 'write'
  /** The name is a prefix of the resources' names (a literal name without it). */
  prefixed?: boolean
}

const CATALOG_ITEM_DLQ = 'catalog.item.dlq.v1'
/** The groups replays of dead letters read ingestion.record.dlq.v1 in: `ingestion-replay-<job id>`. */
export const REPLAY_GROUP_PREFIX = 'ingestion-replay-'

/**
 * What each service may do on the brokers, and nothing more: the catalog publishes its events and
 * applies ingestion's records (rejects to their DLQ, its counts of each job's records to
 * catalog.ingest.v1), search indexes item events (poison ones to their DLQ), ingestion publishes
 * records, rejects and job events and reads the catalog's counts (and the object store's events
 * of new drops), the object store writes those events, the gateway reads item events (to empty
 * its cache of what they change) in groups of its own. An idempotent producer needs no
 * grant of its own: since Kafka 3.0 WRITE on a topic implies IDEMPOTENT_WRITE (KIP-679). A leaked
 * password thus reaches only what its service could, and no client without one reaches anything.
 */
export function platformAcls(p: PlatformPrincipals): AclGrant[] {
  const write = (user: string, name: string): AclGrant => ({ user, resource: 'topic', name, operation: 'write' })
  const read = (user: string, name: string): AclGrant => ({ user, resource: 'topic', name, operation: 'read' })
  const group = (user: string, name: string): AclGrant => ({ user, resource: 'group', name, operation: 'read' })
  return [
    write(p.catalog, events.TOPICS.item),
    write(p.catalog, events.TOPICS.price),
    read(p.catalog, events.INGESTION_TOPICS.record),
    write(p.catalog, events.INGESTION_TOPICS.recordDlq),
    write(p.catalog, events.TOPICS.ingest),
    group(p.catalog, p.catalogIngestGroup),
    read(p.search, events.TOPICS.item),
    write(p.search, CATALOG_ITEM_DLQ),
    group(p.search, p.searchGroup),
    write(p.ingestion, events.INGESTION_TOPICS.record),
    write(p.ingestion, events.INGESTION_TOPICS.recordDlq),
    write(p.ingestion, events.INGESTION_TOPICS.job),
    read(p.ingestion, events.TOPICS.ingest),
    // Prefixed: the group of each installation or test beside another starts with the same name.
    { ...group(p.ingestion, p.ingestionAppliedGroup), prefixed: true },
    // A replay of dead letters reads them back, in a group of its own per replay.
    read(p.ingestion, events.INGESTION_TOPICS.recordDlq),
    { ...group(p.ingestion, REPLAY_GROUP_PREFIX), prefixed: true },
    ...(p.dropEvents
      ? [
          read(p.ingestion, p.dropEvents.topic),
          { ...group(p.ingestion, p.dropEvents.group), prefixed: true },
          ...(p.dropEvents.objectStore ? [write(p.dropEvents.objectStore, p.dropEvents.topic)] : []),
        ]
      : []),
    ...(p.gateway
      ? [
          read(p.gateway, events.TOPICS.item),
          { ...group(p.gateway, `${p.gatewayGroupPrefix ?? 'gateway-cache'}.`), prefixed: true },
        ]
      : []),
  ]
}

const toEntry = (grant: AclGrant): AclEntry => ({
  resourceType: grant.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
  resourceName: grant.name,
  resourcePatternType: grant.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
  principal: `User:${grant.user}`,
  host: '*',
  operation: grant.operation === 'read' ? AclOperationTypes.READ : AclOperationTypes.WRITE,
  permissionType: AclPermissionTypes.ALLOW,
})

/**
 * Adds the grants to the cluster's authorizer (the broker keeps one copy of each, so running this
 * again changes nothing). Grants made by hand or for principals since renamed stay: removing
 * access is an operator's deliberate act. Needs a principal with ALTER on the cluster.
 */
export async function ensureAcls(kafka: Kafka, grants: AclGrant[]): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createAcls({ acl: grants.map(toEntry) })
  } finally {
    await admin.disconnect()
  }
}

/** The topic and group grants the cluster holds for `user`, in AclGrant's terms (to check what ensureAcls did). */
export async function aclsOf(kafka: Kafka, user: string): Promise<AclGrant[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: `User:${user}`,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ALLOW,
    })
    return resources.flatMap((r) =>
      r.acls.map(
        (a): AclGrant => ({
          user,
          resource: r.resourceType === AclResourceTypes.GROUP ? 'group' : 'topic',
          name: r.resourceName,
          operation: a.operation === AclOperationTypes.READ ? 'read' : 'write',
          ...(r.resourcePatternType === ResourcePatternTypes.PREFIXED ? { prefixed: true } : {}),
        }),
      ),
    )
  } finally {
    await admin.disconnect()
  }
}
