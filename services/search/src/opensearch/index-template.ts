import type { OpenSearchClient, OpenSearchErrorBody } from './opensearch-client.ts'
import { replyError } from './opensearch-client.ts'

/*
 * One index for every tenant, behind an alias, its settings and mappings from a template:
 *
 * - Shared, not one per tenant: tenants come and go by the thousand and most are small, while a
 *   cluster carries a bounded number of shards; every query and write names the tenant.
 * - Routed by item id (OpenSearch's default), not by tenant: a realtime GET by id then finds the
 *   indexed item whatever tenant an event claims, which is what lets the indexer refuse an event
 *   naming another tenant (a document routed by the claimed tenant would land beside the real one
 *   instead), and a large tenant's items spread over every shard, so its queries use them all.
 * - Behind an alias, from a template: a change of mappings is a new generation of the index, filled
 *   by republishing from the catalog, the alias then moved to it.
 */

export interface IndexNames {
  /** What queries and writes name. */
  alias: string
  template: string
  /** The first generation, created when the alias does not exist. */
  firstIndex: string
}

export const indexNames = (prefix: string): IndexNames => ({
  alias: `${prefix}-items`,
  template: `${prefix}-items`,
  firstIndex: `${prefix}-items-000001`,
})

export interface IndexSettings {
  shards: number
  replicas: number
}

/** Patterns are written out for Lucene (brackets for \w, `.*` around): its 1,000-character bound would refuse some. */
const MAX_REGEX_LENGTH = 16_384

/** Wildcard fields match a whole value by `regexp` and `wildcard`; their doc values stay off (queries ran 3–4× slower with them). */
const wildcard = { type: 'wildcard', doc_values: false }
/**
 * `contains` of three characters or more: the value's trigrams, lowercased, each at the position
 * after the one before, so a phrase of the substring's trigrams matches exactly where it occurs
 * (opensearch-query.ts). No norms: nothing is scored by them. Not on the fields an earlier release
 * made: the analyzer is a setting of the index, which an open index cannot gain.
 */
const grams = { type: 'text', analyzer: 'grams', norms: false }
/** Text searched by words, substring and pattern; its whole value also copied to `exact` (a keyword, not in `_source`). */
const searchable = (exact: string, withGrams: boolean) => ({
  type: 'text',
  analyzer: 'folded',
  fields: {
    /** `pattern`: case-sensitive, as PostgreSQL's `~`. */
    pattern: wildcard,
    /** `contains` of one or two characters: case-insensitive, as ILIKE. */
    contains: { ...wildcard, normalizer: 'lowercase' },
    ...(withGrams ? { grams } : {}),
  },
  copy_to: exact,
})

/**
 * Mappings of fields the first generation had, changed since in ways a mapping update allows
 * (copy_to): put on the index in use with ADDED_FIELDS. An update leaves out the `grams` subfields
 * (their analyzer may be missing) and keeps them where the index has them.
 */
export const CHANGED_FIELDS = {
  title: searchable('title_exact', false),
  description: searchable('description_exact', false),
}

/** What an index behind the alias offers beyond the first generation's fields. */
export interface IndexFeatures {
  /** Every index behind the alias has the `grams` subfields of title and description. */
  grams: boolean
}

/** The longest value kept whole as a term, in characters: four UTF-8 bytes each stay within Lucene's 32,766. */
export const EXACT_MAX = 8_191

/** The fields added since the first generation: put on the index in use too, as adding fields to a mapping is allowed. */
export const ADDED_FIELDS = {
  // `path=json` of each scalar (attribute-paths.ts): facets of attribute values count them.
  attribute_values: { type: 'keyword', ignore_above: 2_048 },
  // Each number with its path, kept together: attribute ranges.
  attribute_numbers: { type: 'nested', properties: { path: { type: 'keyword' }, value: { type: 'double' } } },
  // Anchored patterns (`^brass`). The wildcard field's regexp narrows by trigrams only, whatever the
  // anchor: `^kam` checked every value holding "kam" against its stored text (~50 µs each). On a
  // whole value as a term, a regexp is an automaton walked over the term dictionary from its
  // prefix: no stored text read. Filled by copy_to from title and description, so `_source`, which
  // every wildcard check parses, does not carry them twice. Titles are at most 500 characters; a
  // description past EXACT_MAX is not a term (Lucene's bound is 32,766 bytes) and is checked the
  // wildcard way, only where its first PREFIX_MAX code points (written by the indexer) begin with
  // the prefix. A document without title_exact was written by an earlier release.
  title_exact: { type: 'keyword', doc_values: false },
  description_exact: { type: 'keyword', doc_values: false, ignore_above: EXACT_MAX },
  description_start: { type: 'keyword', doc_values: false },
}

export function indexTemplate(names: IndexNames, settings: IndexSettings) {
  return {
    index_patterns: [`${names.alias}-*`],
    priority: 100,
    _meta: { owner: 'search', about: 'catalog items of every tenant, one document per item (deleted ones as tombstones)' },
    template: {
      settings: {
        number_of_shards: settings.shards,
        number_of_replicas: settings.replicas,
        max_regex_length: MAX_REGEX_LENGTH,
        analysis: {
          // Words of any language, accents folded (café matches cafe), no stemming: PostgreSQL's catalog_text.
          tokenizer: { trigrams: { type: 'ngram', min_gram: 3, max_gram: 3 } },
          analyzer: {
            folded: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] },
            // Every character is in a gram, spaces and punctuation too (a substring crosses words).
            grams: { type: 'custom', tokenizer: 'trigrams', filter: ['lowercase'] },
          },
          normalizer: { lowercase: { type: 'custom', filter: ['lowercase'] } },
        },
      },
      mappings: {
        dynamic: 'strict',
        properties: {
          id: { type: 'keyword' },
          tenant: { type: 'keyword' },
          deleted: { type: 'boolean' },
          version: { type: 'keyword', index: false, doc_values: false },
          source: { type: 'keyword' },
          external_id: { type: 'keyword' },
          title: searchable('title_exact', true),
          description: searchable('description_exact', true),
          tags: { type: 'keyword' },
          price_amount_minor: { type: 'long' },
          price_currency: { type: 'keyword' },
          published_at: { type: 'date' },
          // Returned as the item holds them; filtered through attribute_paths (attribute-paths.ts).
          attributes: { type: 'object', enabled: false },
          // A term longer than this is not indexed (Lucene refuses a term past 32 KiB): the item stays, unfilterable by that value.
          attribute_paths: { type: 'keyword', ignore_above: 2_048 },
          ...ADDED_FIELDS,
        },
      },
    },
  }
}

/**
 * Puts the template (every start: a new release's settings apply to the next generation) and
 * creates the first generation behind the alias when there is none. Replicas starting together
 * race to create it: the loser finds it there. Says what the indexes behind the alias offer.
 */
export async function ensureIndex(client: OpenSearchClient, names: IndexNames, settings: IndexSettings): Promise<IndexFeatures> {
  await client.ok('PUT', `/_index_template/${names.template}`, indexTemplate(names, settings))
  const alias = await client.call('HEAD', `/_alias/${names.alias}`)
  // An index of an earlier release lacks the fields added since: its items gain their values when
  // they change or the catalog republishes them.
  if (alias.status === 200) {
    await client.ok('PUT', `/${names.alias}/_mapping`, { properties: { ...ADDED_FIELDS, ...CHANGED_FIELDS } })
    return features(client, names)
  }
  const created = await client.call<OpenSearchErrorBody>('PUT', `/${names.firstIndex}`, {
    aliases: { [names.alias]: { is_write_index: true } },
  })
  if (created.status === 200 || created.body.error?.type === 'resource_already_exists_exception') return features(client, names)
  throw replyError(`PUT /${names.firstIndex}`, created)
}

/** Whether every index behind the alias has both `grams` subfields (a generation made from the template since). */
async function features(client: OpenSearchClient, names: IndexNames): Promise<IndexFeatures> {
  const fields = ['title.grams', 'description.grams']
  const found = await client.ok<Record<string, { mappings: Record<string, unknown> }>>(
    'GET',
    `/${names.alias}/_mapping/field/${fields.join(',')}`,
  )
  const indexes = Object.values(found)
  return { grams: indexes.length > 0 && indexes.every((i) => fields.every((f) => f in i.mappings)) }
}
