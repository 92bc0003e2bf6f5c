// Runs examples/express/server.mjs as a user would. It imports `tuskit` itself (the package's
// dist/ build through its `exports`), so `npm run build` must have run: `npm test` does that.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, startNode, type Running } from '../cli/child.js'
import { tusUpload } from '../cli/upload.js'

let server: Running
let directory: string

before(async () => {
  const root = repoRoot()
  assert.ok(
    existsSync(join(root, 'dist', 'index.js')),
    'dist/ is missing: run `npm run build` first (npm test does it in pretest)',
  )
  directory = await mkdtemp(join(tmpdir(), 'tuskit-express-'))
  server = await startNode([join(root, 'examples', 'express', 'server.mjs')], {
    env: { PORT: '0', HOST: '127.0.0.1', UPLOAD_DIR: directory },
  })
})

after(async () => {
  await server?.stop('SIGKILL')
  if (directory) await rm(directory, { recursive: true, force: true })
})

test('the Express route next to tuskit still answers', async () => {
  const res = await fetch(`${server.origin}/`)
  assert.equal(res.status, 200)
  assert.match(await res.text(), /tus endpoint at \/files\//)
  assert.equal((await fetch(`${server.origin}/elsewhere`)).status, 404)
})

test('a full upload through the mounted handler, with a correct Location', async () => {
  const data = Buffer.from('uploaded through Express\n'.repeat(500))
  const { location, id } = await tusUpload(`${server.origin}/files`, data, { chunk: 4096 })
  // Express strips /files from req.url; the Location must still carry it.
  assert.equal(location, `${server.origin}/files/${id}`)
  assert.deepEqual(await readFile(join(directory, id)), data)
})

test('requests under the mount point are tus requests', async () => {
  const res = await fetch(`${server.origin}/files/`, { method: 'OPTIONS' })
  assert.equal(res.status, 204)
  assert.equal(res.headers.get('tus-version'), '1.0.0')
  assert.equal(res.headers.get('tus-max-size'), String(1024 ** 3))
  const missing = await fetch(`${server.origin}/files/unknownid`, {
    method: 'HEAD',
    headers: { 'Tus-Resumable': '1.0.0' },
  })
  assert.equal(missing.status, 404)
})
