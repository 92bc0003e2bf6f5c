// Programs from outside the repository that some doc tests need (curl). Where one is missing
// the test skips with one loud line saying how to get it, except under CI, where it fails:
// CI installs them (.ci/run), so a missing one there is a broken setup, not a missing tool.
import assert from 'node:assert/strict'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { TestContext } from 'node:test'

/** The program's path on `PATH`, or `undefined`. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue
    try {
      accessSync(join(dir, name), constants.X_OK)
      return join(dir, name)
    } catch {
      // not in this folder
    }
  }
  return undefined
}

/**
 * The program's path; otherwise skips `t` (returning `undefined`) with a line on stderr saying
 * how to install it, or fails under CI.
 */
export function needProgram(t: TestContext, name: string, install: string): string | undefined {
  const path = findOnPath(name)
  if (path !== undefined) return path
  const line = `${name} not found on PATH: ${t.name} needs it (${install})`
  assert.ok(!process.env['CI'], `${line}; CI must provide it`)
  process.stderr.write(`\n*** SKIPPED: ${line} ***\n\n`)
  t.skip(line)
  return undefined
}
