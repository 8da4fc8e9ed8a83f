// Reads V8 CPU profiles (node --cpu-prof) and names the frames where each process spent its time,
// by self time, so a bench report shows the next bottleneck without opening a profiler.
//
//   node scripts/bench/cpu-profile.ts <file.cpuprofile> [top]
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface Frame {
  frame: string
  selfPercent: number
}

/**
 * The `top` frames by self time, as a share of the process's busy time: idle samples are left out
 * (a process waiting on the network is not spending CPU), GC and (program) are named as V8 names them.
 */
export function topFrames(profile: Profile, top = 5): Frame[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    if (!node) return
    const dt = profile.timeDeltas[i] ?? 0
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)') return
    const where = url
      ? `${url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^file:\/\/.*?\/(services|gateway|proto)\//, '$1/')}:${lineNumber + 1}`
      : ''
    const key = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`
    self.set(key, (self.get(key) ?? 0) + dt)
    total += dt
  })
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, t]) => ({ frame, selfPercent: Math.round((1000 * t) / Math.max(1, total)) / 10 }))
}

/** The top frames of the newest profile in `dir`, or undefined when there is none. */
export async function newestProfileTop(dir: string, top = 5): Promise<Frame[] | undefined> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile')).sort()
  const last = files.at(-1)
  if (!last) return undefined
  return topFrames(JSON.parse(await readFile(join(dir, last), 'utf8')) as Profile, top)
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2)
  if (!file) throw new Error('usage: node scripts/bench/cpu-profile.ts <file.cpuprofile> [top]')
  for (const f of topFrames(JSON.parse(await readFile(file, 'utf8')) as Profile, Number(top ?? 15)))
    console.log(`${f.selfPercent.toFixed(1).padStart(5)} %  ${f.frame}`)
}
