// The `tuskit` command as users get it: the bundled dist/cli/main.js (npm test builds dist/
// first), and that file inside the package `npm pack` makes, unpacked into a node_modules
// folder and run through the bin link npm would make. --version must find package.json in
// each layout, and the installed command serve the demo page it carries.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, runNode, startNode } from './child.js'

const root = repoRoot()
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string
  bin: Record<string, string>
  dependencies: Record<string, string>
}

let scratch: string
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tuskit-installed-'))
})
after(async () => {
  await rm(scratch, { recursive: true, force: true })
})

test('the bundled dist/cli/main.js prints the version', async () => {
  const result = await runNode([join(root, 'dist', 'cli', 'main.js'), '--version'])
  assert.deepEqual(result, { code: 0, signal: null, stdout: `${pkg.version}\n`, stderr: '' })
})

test('the packed package, installed, prints the version through its bin link', async () => {
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  }).trim()
  const modules = join(scratch, 'node_modules')
  mkdirSync(modules)
  execFileSync('tar', ['-xzf', join(scratch, tarball), '-C', modules], { timeout: 60_000 })
  renameSync(join(modules, 'package'), join(modules, 'tuskit'))
  // The dependencies as npm would place them beside it: links to this repository's copies.
  for (const name of Object.keys(pkg.dependencies)) {
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir')
  }
  const binDir = join(modules, '.bin')
  mkdirSync(binDir)
  const bin = pkg.bin['tuskit'] ?? ''
  symlinkSync(join('..', 'tuskit', bin), join(binDir, 'tuskit'))

  const result = await runNode([join(binDir, 'tuskit'), '-v'], { cwd: scratch })
  assert.deepEqual(result, { code: 0, signal: null, stdout: `${pkg.version}\n`, stderr: '' })

  // The package carries the built demo page, icon included.
  const server = await startNode([join(binDir, 'tuskit'), '--port', '0', '--dir', 'uploads'], {
    cwd: scratch,
  })
  try {
    assert.equal(server.stderr(), '', 'no warning of missing page files')
    for (const path of ['/', '/app.js', '/favicon.svg', '/favicon.ico']) {
      const res = await fetch(`${server.origin}${path}`)
      assert.equal(res.status, 200, path)
      await res.arrayBuffer()
    }
  } finally {
    await server.stop('SIGKILL')
  }
})
