import { execFile } from 'node:child_process'
import { accessSync, constants, cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseAllDocuments } from 'yaml'

const run = promisify(execFile)
export const REPO = fileURLToPath(new URL('../../../', import.meta.url))

/** The tool on PATH, else in .tools/bin (where the test command builds it), else undefined. */
export function tool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(REPO, '.tools/bin')]
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK)
      return join(dir, name)
    } catch {}
  }
  return undefined
}

/**
 * A copy of helm/ in a temporary folder (removed when the test ends) with each chart's file://
 * dependencies built, subcharts before the umbrella: `helm dependency build` writes into the chart,
 * so the tree under test stays as it is. Returns the umbrella chart's folder.
 */
export async function builtUmbrella(t: { teardown(fn: () => unknown): void }, helm: string): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'charts-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  cpSync(join(REPO, 'helm'), work, { recursive: true })
  for (const chart of ['catalog', 'search', 'ingestion', 'gateway', 'catalog-platform'])
    await run(helm, ['dependency', 'build', '--skip-refresh', join(work, chart)])
  return join(work, 'catalog-platform')
}

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are plain YAML, checked field by field by the tests
export type Doc = Record<string, any>

/**
 * `helm template <release> <umbrella> --namespace catalog <args>`: the parsed documents, or what helm
 * printed when it refused to render.
 */
export async function template(
  helm: string,
  umbrella: string,
  release: string,
  args: string[],
): Promise<{ docs: Doc[]; error?: string }> {
  try {
    const { stdout } = await run(helm, ['template', release, umbrella, '--namespace', 'catalog', ...args], {
      maxBuffer: 64 * 1024 * 1024,
    })
    const docs = parseAllDocuments(stdout)
      .map((d) => d.toJS() as Doc)
      .filter(Boolean)
    return { docs }
  } catch (err) {
    return { docs: [], error: String((err as { stderr?: string }).stderr ?? err) }
  }
}

/** Every pod template of a workload, Job or CronJob, with the kind/name it belongs to. */
export function pods(docs: Doc[]): { owner: string; spec: Doc; labels: Doc }[] {
  return docs.flatMap((d) => {
    const owner = `${d.kind}/${d.metadata.name}`
    if (['Deployment', 'Job'].includes(d.kind))
      return [{ owner, spec: d.spec.template.spec, labels: d.spec.template.metadata.labels }]
    if (d.kind === 'CronJob')
      return [{ owner, spec: d.spec.jobTemplate.spec.template.spec, labels: d.spec.jobTemplate.spec.template.metadata.labels }]
    return []
  })
}

export const envOf = (container: Doc): Map<string, Doc> => new Map((container.env ?? []).map((e: Doc) => [e.name, e]))
export const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)
