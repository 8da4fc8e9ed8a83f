import { execFile } from 'node:child_process'
import { accessSync, constants, cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

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
