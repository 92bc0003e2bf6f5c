// Runs one examples/<name>/server.mjs as a user would (a child process importing `tuskit` and
// its subpaths from dist/ through the package's `exports`, so `npm run build` must have run:
// `npm test` does that) and checks it: the ordinary route, a 404 outside, OPTIONS, and a full
// upload through the framework with a correct Location.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, startNode, type Running } from '../cli/child.js'
import { tusUpload } from '../cli/upload.js'

/** Which spellings of the creation URL the checks use (a mounted handler must take both). */
export interface ExamplePaths {
  /** Where the upload is created. Default `/files/`. */
  uploadTo?: string
  /** Where OPTIONS is sent. Default `/files`. */
  optionsAt?: string
}

export function testExample(
  name: string,
  homePage: RegExp,
  { uploadTo = '/files/', optionsAt = '/files' }: ExamplePaths = {},
): void {
  let server: Running
  let directory: string

  before(async () => {
    const root = repoRoot()
    assert.ok(
      existsSync(join(root, 'dist', 'index.js')),
      'dist/ is missing: run `npm run build` first (npm test does it in pretest)',
    )
    directory = await mkdtemp(join(tmpdir(), `tuskit-example-${name}-`))
    server = await startNode([join(root, 'examples', name, 'server.mjs')], {
      env: { PORT: '0', HOST: '127.0.0.1', UPLOAD_DIR: directory },
    })
  })

  after(async () => {
    await server?.stop('SIGKILL')
    if (directory) await rm(directory, { recursive: true, force: true })
  })

  test(`examples/${name}: the route next to tuskit still answers`, async () => {
    const res = await fetch(`${server.origin}/`, { signal: AbortSignal.timeout(10_000) })
    assert.equal(res.status, 200)
    assert.match(await res.text(), homePage)
    const elsewhere = await fetch(`${server.origin}/elsewhere`, {
      signal: AbortSignal.timeout(10_000),
    })
    assert.equal(elsewhere.status, 404)
  })

  test(`examples/${name}: a full upload with a correct Location`, async () => {
    const data = Buffer.from(`uploaded through ${name}\n`.repeat(500))
    const { location, id } = await tusUpload(`${server.origin}${uploadTo}`, data, { chunk: 4096 })
    // A framework that strips its mount prefix from req.url must still answer it in Location.
    assert.equal(location, `${server.origin}/files/${id}`)
    assert.deepEqual(await readFile(join(directory, id)), data)
    const download = await fetch(location, { signal: AbortSignal.timeout(10_000) })
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), data)
  })

  test(`examples/${name}: requests under /files are tus requests`, async () => {
    const res = await fetch(`${server.origin}${optionsAt}`, {
      method: 'OPTIONS',
      signal: AbortSignal.timeout(10_000),
    })
    assert.equal(res.status, 204)
    assert.equal(res.headers.get('tus-version'), '1.0.0')
    assert.equal(res.headers.get('tus-max-size'), String(1024 ** 3))
    const missing = await fetch(`${server.origin}/files/unknownid`, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
      signal: AbortSignal.timeout(10_000),
    })
    assert.equal(missing.status, 404)
  })
}
