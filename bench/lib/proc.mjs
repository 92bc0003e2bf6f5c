// Readers of /proc for a process other than the caller (Linux only).
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ; 100 on every Linux this runs on

/** utime + stime of `pid` in seconds (10 ms resolution). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
  // The command name (field 2) may contain spaces; fields after it are space separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return { user: utime / TICKS_PER_SECOND, system: stime / TICKS_PER_SECOND }
}

/** A `VmXXX` line of /proc/<pid>/status, in bytes. */
export function vm(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1')
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  return m ? Number(m[1]) * 1024 : undefined
}

/** CPU seconds of the whole machine since boot, all cores, from /proc/stat. */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  return {
    // Busy in processes (any process: ours and others)
    tasks: (user + nice + system) / TICKS_PER_SECOND,
    // Interrupts and soft interrupts (loopback TCP is partly processed here) and steal
    irq: (irq + softirq) / TICKS_PER_SECOND,
    steal: steal / TICKS_PER_SECOND,
  }
}

/** Busy CPU seconds of the whole machine since boot, all cores (no idle, no iowait). */
export function machineBusySeconds() {
  const m = machineCpu()
  return m.tasks + m.irq + m.steal
}
