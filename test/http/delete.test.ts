import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startServer, withServer } from '../helpers/server.js'
import { openSocket } from '../helpers/raw-http.js'
import {
  assertTusError,
  create,
  dataOf,
  patch,
  patchHead,
  portOf,
  storeFiles,
  TUS,
} from './tus-client.js'

test('DELETE: 204, then HEAD, PATCH and DELETE are 404 and the files are gone', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11', 'Upload-Metadata': 'a YQ==' })
    const other = await create(s)
    assert.equal((await patch(url, 0, 'hello')).status, 204)
    // `other` has no byte stored yet: only its info file
    assert.deepEqual(await storeFiles(s), [id, `${id}.json`, `${other.id}.json`].sort())

    const res = await fetch(url, { method: 'DELETE', headers: TUS })
    assert.equal(res.status, 204)
    assert.equal(res.headers.get('tus-resumable'), '1.0.0')
    assert.equal(await res.text(), '')

    await assertTusError(await fetch(url, { method: 'HEAD', headers: TUS }), 404, 'HEAD')
    await assertTusError(await patch(url, 5, ' world'), 404, 'PATCH')
    await assertTusError(await patch(url, 0, 'hello'), 404, 'PATCH')
    await assertTusError(await fetch(url, { method: 'DELETE', headers: TUS }), 404, 'DELETE')
    // only the other upload is left
    assert.deepEqual(await storeFiles(s), [`${other.id}.json`])
  })
})

test('DELETE also removes temporary files a crash left for the upload, and only those', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s)
    const other = await create(s)
    // What a kill between a temporary file's creation and its rename leaves behind: of an
    // info update, of a concatenation, of a checksummed append. (test/e2e/temp-files.test.ts
    // leaves them with a real kill.)
    const leftovers = [`${id}.json.tmp`, `${id}.concat.tmp`, `${id}.chunk`]
    const kept = `${other.id}.json.tmp`
    for (const name of [...leftovers, kept]) await writeFile(join(s.directory, name), '{')
    assert.equal((await fetch(url, { method: 'DELETE', headers: TUS })).status, 204)
    assert.deepEqual(await storeFiles(s), [`${other.id}.json`, kept].sort())
  })
})

test('DELETE of an unknown upload: 404', async () => {
  await withServer(async (s) => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'nope']) {
      const res = await fetch(`${s.endpoint}/${id}`, { method: 'DELETE', headers: TUS })
      await assertTusError(res, 404, 'DELETE')
    }
  })
})

test('DELETE on /files: 405', async () => {
  await withServer(async (s) => {
    const res = await fetch(s.endpoint, { method: 'DELETE', headers: TUS })
    await assertTusError(res, 405, 'DELETE')
    assert.equal(res.headers.get('allow'), 'OPTIONS, POST')
  })
})

test('DELETE of a complete and of a 0-byte upload', async () => {
  await withServer(async (s) => {
    const done = await create(s, { 'Upload-Length': '3' })
    assert.equal((await patch(done.url, 0, 'abc')).status, 204)
    const empty = await create(s, { 'Upload-Length': '0' })
    for (const { url } of [done, empty]) {
      assert.equal((await fetch(url, { method: 'DELETE', headers: TUS })).status, 204)
    }
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('DELETE while a PATCH is still sending: the PATCH is stopped and the upload removed', async () => {
  const s = await startServer()
  const port = portOf(s)
  const { url, id } = await create(s, { 'Upload-Length': '1000' })
  const socket = await openSocket(port)
  socket.on('error', () => undefined)
  try {
    socket.write(patchHead(port, id, 0, 1000))
    socket.write(Buffer.alloc(100, 7))
    // wait (bounded) until the server has stored some of it
    for (let i = 0; i < 100; i++) {
      if ((await dataOf(s, id)).length > 0) break
      await new Promise((r) => setTimeout(r, 10))
    }
    const started = Date.now()
    const res = await fetch(url, { method: 'DELETE', headers: TUS })
    assert.equal(res.status, 204)
    assert.ok(Date.now() - started < 2500, 'DELETE did not wait for the lock timeout')
    await assertTusError(await fetch(url, { method: 'HEAD', headers: TUS }), 404, 'HEAD')
    assert.deepEqual(await storeFiles(s), [])
  } finally {
    socket.destroy()
    await s.close()
  }
})
