// Turns CustomResourceDefinitions into the JSON schemas kubeconform reads, laid out as its own
// openapi2jsonschema lays them out: OUT/<group>/<kind>_<version>.json, one per served version, plus
// OUT/index.json naming each group/version/Kind (the test hands them to `helm template --api-versions`).
//
//   node deploy/scripts/crd-schemas.ts OUT SOURCE...   SOURCE: a CRD YAML file, or a folder of them
//
// Strict like the built-in schemas of kubeconform -strict: every object that declares its properties
// and does not keep unknown fields (x-kubernetes-preserve-unknown-fields) gets additionalProperties:
// false, so a misspelt field of a custom resource fails as it would for a Deployment. The API server's
// own leniencies become JSON Schema: nullable, int-or-string, and the apiVersion/kind/metadata that the
// root and embedded resources always accept.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'

export type Schema = { [key: string]: unknown }

export interface CrdSchema {
  group: string
  version: string
  kind: string
  schema: Schema
}

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value)
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const
const INT_OR_STRING = [{ type: 'integer' }, { type: 'string' }]
const RESOURCE_FIELDS: Schema = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } }

/**
 * One CRD version's openAPIV3Schema as a strict JSON schema. `resource` marks the root and embedded
 * resources; `strict` is off inside allOf/anyOf/oneOf/not, whose branches only restate fields that
 * the enclosing schema declares (structural schemas), so closing them would reject its other fields.
 */
export function toJsonSchema(node: Schema, resource = true, strict = true): Schema {
  const out: Schema = { ...node }
  if (isSchema(node.properties)) {
    const properties: Schema = resource ? { ...RESOURCE_FIELDS } : {}
    for (const [name, child] of Object.entries(node.properties)) {
      properties[name] = isSchema(child) ? toJsonSchema(child, child['x-kubernetes-embedded-resource'] === true, strict) : child
    }
    out.properties = properties
  }
  if (isSchema(node.additionalProperties)) out.additionalProperties = toJsonSchema(node.additionalProperties, false, strict)
  if (isSchema(node.items)) out.items = toJsonSchema(node.items, node.items['x-kubernetes-embedded-resource'] === true, strict)
  for (const junctor of JUNCTORS) {
    const branches = node[junctor]
    if (Array.isArray(branches)) out[junctor] = branches.map((b: unknown) => (isSchema(b) ? toJsonSchema(b, false, false) : b))
  }
  if (isSchema(node.not)) out.not = toJsonSchema(node.not, false, false)

  if (node.format === 'int-or-string' || (node['x-kubernetes-int-or-string'] === true && !out.anyOf && !out.oneOf)) {
    delete out.format
    delete out.type
    out.anyOf = INT_OR_STRING
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null']
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null]
  }
  const open = node['x-kubernetes-preserve-unknown-fields'] === true || 'additionalProperties' in node
  if (strict && isSchema(out.properties) && !open) out.additionalProperties = false
  return out
}

/** The served versions of every apiextensions.k8s.io/v1 CRD in a YAML text (other documents are skipped). */
export function crdSchemas(text: string, source: string): CrdSchema[] {
  const found: CrdSchema[] = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message}`)
    const crd = doc.toJS() as {
      apiVersion?: string
      kind?: string
      spec?: {
        group: string
        names: { kind: string }
        versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: Schema } }[]
      }
    } | null
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue
    if (crd.apiVersion !== 'apiextensions.k8s.io/v1') throw new Error(`${source}: ${crd.apiVersion} CRDs are not supported`)
    for (const version of crd.spec.versions) {
      const schema = version.schema?.openAPIV3Schema
      if (!version.served || !schema) continue
      found.push({ group: crd.spec.group, version: version.name, kind: crd.spec.names.kind, schema: toJsonSchema(schema) })
    }
  }
  return found
}

function yamlFiles(source: string): string[] {
  if (!statSync(source).isDirectory()) return [source]
  return readdirSync(source)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(source, name))
}

/** Writes the schemas of every SOURCE under OUT; a SOURCE without any CRD is an error (a moved folder). */
export function writeCrdSchemas(out: string, sources: string[]): CrdSchema[] {
  const all: CrdSchema[] = []
  for (const source of sources) {
    const found = yamlFiles(source).flatMap((file) => crdSchemas(readFileSync(file, 'utf8'), file))
    if (found.length === 0) throw new Error(`${source}: no CustomResourceDefinition found`)
    all.push(...found)
  }
  for (const { group, version, kind, schema } of all) {
    mkdirSync(join(out, group), { recursive: true })
    writeFileSync(join(out, group, `${kind.toLowerCase()}_${version}.json`), JSON.stringify(schema))
  }
  const index = all.map(({ group, version, kind }) => ({ group, version, kind }))
  writeFileSync(join(out, 'index.json'), `${JSON.stringify(index, null, 2)}\n`)
  return all
}

if (import.meta.main) {
  const [out, ...sources] = process.argv.slice(2)
  if (!out || sources.length === 0) {
    console.error('usage: node deploy/scripts/crd-schemas.ts OUT SOURCE...')
    process.exit(2)
  }
  try {
    const written = writeCrdSchemas(out, sources)
    console.log(`crd-schemas: ${written.length} schemas (${new Set(written.map((s) => s.kind)).size} kinds) in ${out}`)
  } catch (err) {
    console.error(`crd-schemas: ${(err as Error).message}`)
    process.exit(1)
  }
}
