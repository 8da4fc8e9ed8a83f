import type { ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times (100 on nearly every Linux). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name, in parentheses, may hold spaces: the fields are counted from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of the line, so 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** Runs `work` and returns its result with the CPU time `child` used meanwhile. */
export async function withCpu<T>(child: ChildProcess, work: () => Promise<T>): Promise<{ result: T; cpuSeconds: number }> {
  const pid = child.pid
  if (pid === undefined) throw new Error('the process has no pid: it did not start')
  const before = cpuSeconds(pid)
  const result = await work()
  return { result, cpuSeconds: cpuSeconds(pid) - before }
}

/**
 * CPU seconds a PostgreSQL server has used so far: its postmaster, the backends it runs now, and
 * those that exited (the postmaster's waited-for children). `dataDir` holds its postmaster.pid.
 */
export function postgresCpuSeconds(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  const stat = (pid: string | number) => {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  }
  const own = stat(postmaster)
  // utime, stime, cutime, cstime are fields 14 to 17 of the line; the parent pid is field 4.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const fields = stat(entry)
      if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // It exited between the listing and the read: the postmaster's child times now hold it.
    }
  }
  return ticks / TICKS_PER_SECOND
}
