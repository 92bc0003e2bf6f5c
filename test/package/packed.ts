// The package as npm publishes it: `npm pack` of the built repository, installed into a fresh
// consumer project the way a user installs it. Everything runs offline.
//
// The consumer is installed with `npm ci --offline` from a lockfile written here, not with
// `npm install --offline <tarball>`: after `npm ci` the npm cache holds the tarballs of
// tuskit's dependencies but not their registry metadata, which `npm install` needs to resolve
// them, so on a clean machine it fails with ENOTCACHED. The lockfile pins the versions this
// repository's own lockfile resolved, and `npm ci` takes their tarballs from the cache.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, symlinkSync, mkdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { repoRoot } from '../cli/child.js'

export const root = repoRoot()

export interface PackageJson {
  name: string
  version: string
  license?: string
  exports: Record<string, string | Record<'import' | 'require', { types: string; default: string }>>
  bin: Record<string, string>
  engines?: Record<string, string>
  dependencies: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson

/** The public entries: `exports` subpaths with code (not ./package.json), as import names. */
export const ENTRIES = Object.entries(pkg.exports)
  .filter(([, entry]) => typeof entry !== 'string')
  .map(([subpath]) => join(pkg.name, subpath))

export interface Output {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs a program to its end (no shell). The child does not inherit NODE_TEST_CONTEXT, which
 * would make a consumer that loads node:test report to this test runner.
 */
export function run(
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Output> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
  delete childEnv['NODE_TEST_CONTEXT']
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: childEnv, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/** Runs a program and fails with its output unless it exits with 0. */
export async function runOk(
  file: string,
  args: string[],
  cwd: string,
  env?: Record<string, string>,
): Promise<Output> {
  const out = await run(file, args, cwd, env)
  if (out.code !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} exited with ${out.code}\n${out.stdout}\n${out.stderr}`,
    )
  }
  return out
}

/** The `npm warn` lines of an npm run's output. */
export function npmWarnings(out: Output): string[] {
  return `${out.stdout}\n${out.stderr}`.split('\n').filter((line) => /^npm warn/i.test(line))
}

export interface Packed {
  /** A temporary folder holding the tarball (and the consumer, once installed). */
  dir: string
  tarball: string
  /** The output of `npm pack`. */
  pack: Output
  cleanup(): Promise<void>
}

/** `npm pack` of the repository (its dist/ must be built) into a new temporary folder. */
export async function packTuskit(): Promise<Packed> {
  const dir = await mkdtemp(join(tmpdir(), 'tuskit-pack-'))
  const pack = await runOk('npm', ['pack', '--json', '--pack-destination', dir], root)
  const [info] = JSON.parse(pack.stdout) as { filename: string }[]
  if (info === undefined) throw new Error(`npm pack printed no file: ${pack.stdout}`)
  return {
    dir,
    tarball: join(dir, info.filename),
    pack,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

interface LockEntry {
  version?: string
  dependencies?: Record<string, string>
  [field: string]: unknown
}

/**
 * Installs the tarball into `<packed.dir>/consumer`, a project that depends on nothing else,
 * with `npm ci --offline`. Returns the consumer's folder and the output of npm.
 */
export async function installConsumer(packed: Packed): Promise<{ dir: string; install: Output }> {
  const dir = join(packed.dir, 'consumer')
  mkdirSync(dir)
  const spec = `file:../${basename(packed.tarball)}`
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(packed.tarball))
    .digest('base64')}`
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  // tuskit as npm records an installed tarball, then its dependencies' closure as this
  // repository's lockfile resolved it (same paths: they hang off the root in both projects).
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: Object.fromEntries(
        Object.entries(pkg.bin).map(([name, path]) => [name, path.replace(/^\.\//, '')]),
      ),
      engines: pkg.engines,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
    },
  }
  const pending = Object.keys(pkg.dependencies).map((name) => ({ from: '', name }))
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const key = resolveInLock(lock.packages, next.from, next.name)
    if (key in packages) continue
    // Flags about the repository's own dependency graph (dev, peer, ...) do not apply here.
    const entry = { ...lock.packages[key] }
    for (const flag of ['dev', 'devOptional', 'peer']) delete entry[flag]
    packages[key] = entry
    for (const name of Object.keys(entry.dependencies ?? {})) pending.push({ from: key, name })
  }
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, dependencies: { [pkg.name]: spec } }),
  )
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }),
  )
  const install = await runOk('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dir)
  return { dir, install }
}

/** Where Node finds package `name` required from lockfile path `from` (nearest node_modules). */
function resolveInLock(packages: Record<string, LockEntry>, from: string, name: string): string {
  for (let base = from; ;) {
    const key = `${base === '' ? '' : `${base}/`}node_modules/${name}`
    if (key in packages) return key
    if (base === '') throw new Error(`${name} (needed by ${from || 'tuskit'}) is not in the lock`)
    const cut = base.lastIndexOf('/node_modules/')
    base = cut === -1 ? '' : base.slice(0, cut)
  }
}

/**
 * Links packages of this repository into the consumer's node_modules: the ones a TypeScript
 * user of tuskit has beside it (@types/node, and fastify for tuskit/fastify's types).
 */
export function linkFromRepo(consumer: string, names: string[]): void {
  for (const name of names) {
    const link = join(consumer, 'node_modules', name)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(join(root, 'node_modules', name), link, 'dir')
  }
}
