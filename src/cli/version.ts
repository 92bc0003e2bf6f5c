import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The version in the package.json of the package this module belongs to: the nearest one
 * above it with a name and a version, found the way Node finds a module's package. A fixed
 * relative path would break as the code moves (bundled into dist/cli/main.js or a chunk of
 * dist/, compiled to build/src/cli/ for the tests, installed under node_modules/tuskit/),
 * and package.json is in every published package, so reading it at run time needs no build
 * step. Read only when asked for, so starting the server never pays for it.
 */
export function packageVersion(moduleUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(moduleUrl))
  for (;;) {
    const pkg = readPackage(join(dir, 'package.json'))
    if (pkg !== undefined && typeof pkg.name === 'string' && typeof pkg.version === 'string') {
      return pkg.version
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json with a version above ${moduleUrl}`)
    dir = parent
  }
}

function readPackage(file: string): { name?: unknown; version?: unknown } | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return JSON.parse(text) as { name?: unknown; version?: unknown }
}
