// The package as its users load it: every entry of `exports` from the bundled dist/ (npm test
// builds it first), by import and by require, the entries sharing one copy of the library, and
// the CommonJS dependencies only some requests need left unloaded until then (see
// scripts/bundle.mjs, scripts/commonjs.mjs, src/util/require-cjs.ts). test/package/ checks the
// packed tarball in a consumer project.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { repoRoot } from '../cli/child.js'

const root = repoRoot()

interface Target {
  types: string
  default: string
}

interface PackageJson {
  exports: Record<string, string | { import: Target; require: Target }>
  bin: Record<string, string>
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson

/** Imports by the package's own name, as a user would (Node resolves a package's self-name). */
async function load(specifier: string): Promise<Record<string, unknown>> {
  return (await import(specifier)) as Record<string, unknown>
}

test('every entry of exports loads from the bundled dist/, with its types beside it', async () => {
  const require = createRequire(import.meta.url)
  for (const [subpath, entry] of Object.entries(pkg.exports)) {
    if (typeof entry === 'string') continue // ./package.json
    for (const target of [entry.import, entry.require]) {
      assert.ok(existsSync(join(root, target.default)), `${target.default} is built`)
      assert.ok(existsSync(join(root, target.types)), `${target.types} is built`)
    }
    const mod = await load(join('tuskit', subpath))
    assert.ok(Object.keys(mod).length > 0, `${subpath} exports something`)
    // require() reaches the same ES module (require(esm)), not a second build.
    assert.equal(require(join('tuskit', subpath)), mod, `require of ${subpath}`)
  }
  for (const bin of Object.values(pkg.bin)) assert.ok(existsSync(join(root, bin)), bin)
  // The per-module files tsc wrote are gone, so what runs is the bundle.
  assert.equal(existsSync(join(root, 'dist', 'stores', 'file', 'file-store.js')), false)
  assert.ok(existsSync(join(root, 'dist', 'stores', 'file', 'file-store.d.ts')))
})

test('the entries share one copy of the library: a TusError from "tuskit" keeps its status through "tuskit/web"', async () => {
  const { FileStore, TusError } = (await load('tuskit')) as {
    FileStore: new (o: { directory: string }) => object
    TusError: new (code: string, status: number, message: string) => Error
  }
  const { createWebHandler } = (await load('tuskit/web')) as {
    createWebHandler: (store: object) => { handleRequest(r: Request): Promise<Response> }
  }
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-package-'))
  try {
    // A store whose lookups fail with the class a user gets from "tuskit". With a second copy of
    // TusError inside the web entry, the core would not recognise it and answer 500.
    const store = Object.create(new FileStore({ directory })) as Record<string, unknown>
    store['get'] = async () => {
      throw new TusError('ERR_TEAPOT', 418, 'a teapot, from the store')
    }
    const handler = createWebHandler(store)
    const response = await handler.handleRequest(
      new Request('http://127.0.0.1/files/abc', {
        method: 'HEAD',
        headers: { 'Tus-Resumable': '1.0.0' },
      }),
    )
    assert.equal(response.status, 418)
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
})

test('"tuskit" holds what apps use, "tuskit/store" what store authors use, sharing one TusError', async () => {
  const app = await load('tuskit')
  const store = await load('tuskit/store')
  assert.deepEqual(Object.keys(app).sort(), [
    'ERRORS',
    'FileStore',
    'MemoryLocker',
    'TusError',
    'createTusCore',
    'createTusHandler',
    'isTusError',
  ])
  assert.deepEqual(Object.keys(store).sort(), [
    'CHECKSUM_ALGORITHMS',
    'ERRORS',
    'TUS_VERSION',
    'TusError',
    'createChecksumVerifier',
    'isComplete',
    'isTusError',
    'isValidUploadId',
    'newUploadId',
    'parseChecksum',
    'parseMetadata',
    'stringifyMetadata',
    'tusError',
  ])
  assert.equal(store['TusError'], app['TusError'])
})

test('importing "tuskit" loads debug but not busboy or mime-types (loaded at first use)', () => {
  // A fresh process, so nothing else this test file did has loaded them.
  const script = `
    import { createRequire } from 'node:module'
    await import('tuskit')
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    console.log(JSON.stringify(loaded))
  `
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  })
  const loaded = JSON.parse(out) as string[]
  const has = (name: string): boolean => loaded.some((p) => p.includes(`/node_modules/${name}/`))
  assert.ok(has('debug'), 'debug is loaded at import (every module logs through it)')
  assert.equal(has('busboy'), false, 'busboy waits for the first form upload')
  assert.equal(has('mime-types'), false, 'mime-types waits for the first download')
})
