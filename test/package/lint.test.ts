// The packed tarball through the two package linters, offline: publint (package.json fields
// against the files shipped) and Are the Types Wrong (what TypeScript resolves for every entry
// under node10, node16 from CommonJS, node16 from ES modules and bundler, against the
// JavaScript Node.js loads there).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ENTRIES, npmWarnings, packTuskit, root, run, type Packed } from './packed.js'

let packed: Packed

before(async () => {
  packed = await packTuskit()
})

after(() => packed?.cleanup())

const bin = (name: string): string => join(root, 'node_modules', '.bin', name)

test('npm pack prints no warnings', () => {
  assert.deepEqual(npmWarnings(packed.pack), [])
})

test('publint finds nothing to say, suggestions included', async () => {
  const out = await run(
    bin('publint'),
    ['run', '--strict', '--level', 'suggestion', packed.tarball],
    root,
  )
  assert.equal(out.code, 0, out.stdout + out.stderr)
  assert.match(out.stdout, /All good!/, out.stdout)
})

interface AttwResolution {
  resolution?: { fileName: string }
  implementationResolution?: { fileName: string }
}

interface AttwReport {
  analysis: {
    problems: unknown[]
    entrypoints: Record<string, { resolutions: Record<string, AttwResolution> }>
  }
  problems: Record<string, unknown[]>
}

test('Are the Types Wrong: no problems in any resolution mode, each entry typed as it loads', async () => {
  // The tarball itself, and no @types lookup on the registry (tuskit ships its own types).
  const out = await run(
    bin('attw'),
    [packed.tarball, '--format', 'json', '--no-definitely-typed'],
    root,
  )
  const report = JSON.parse(out.stdout) as AttwReport
  assert.deepEqual(report.analysis.problems, [], out.stdout)
  assert.equal(out.code, 0, out.stderr)
  const entrypoints = report.analysis.entrypoints
  assert.deepEqual(
    Object.keys(entrypoints).filter((e) => e !== './package.json'),
    ENTRIES.map((name) => `.${name.slice('tuskit'.length)}`),
  )
  for (const [entry, { resolutions }] of Object.entries(entrypoints)) {
    if (entry === './package.json') continue
    // require gets the CommonJS entry and its .d.cts types; import and bundlers get the ES
    // module and its .d.ts; node10 (projects compiled to require, without exports support)
    // gets the .d.cts types too. Its run-time column is moot: Node.js itself reads exports.
    const expected: Record<string, [RegExp, RegExp]> = {
      node10: [/\.d\.cts$/, /./],
      'node16-cjs': [/\.d\.cts$/, /\.cjs$/],
      'node16-esm': [/\.d\.ts$/, /\.js$/],
      bundler: [/\.d\.ts$/, /\.js$/],
    }
    assert.deepEqual(Object.keys(resolutions).sort(), Object.keys(expected).sort())
    for (const [mode, [types, code]] of Object.entries(expected)) {
      const resolution = resolutions[mode]
      assert.match(resolution?.resolution?.fileName ?? '', types, `${entry} ${mode} types`)
      assert.match(resolution?.implementationResolution?.fileName ?? '', code, `${entry} ${mode}`)
    }
  }
})
