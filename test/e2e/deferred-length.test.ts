/**
 * tus-js-client with `uploadLengthDeferred`: a stream of unknown length is uploaded in chunks
 * and its length declared by the last PATCH (creation-defer-length, end to end).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { startServer } from '../helpers/server.js'
import { MiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../helpers/files.js'
import { headUpload, uploadId } from '../helpers/requests.js'
import { startTusUpload } from '../fixtures/tus-upload.js'

test('a stream of unknown length uploads with uploadLengthDeferred', async () => {
  const dir = await makeTempDir('tuskit-e2e-deferred-')
  const server = await startServer()
  const size = 5 * MiB + 12345
  const path = await writeRandomFile(join(dir, 'stream.bin'), size)
  const input = createReadStream(path).pipe(new PassThrough())
  try {
    const run = startTusUpload(input, {
      endpoint: server.endpoint,
      uploadLengthDeferred: true,
      chunkSize: 1 * MiB,
      metadata: { filename: 'stream.bin' },
    })
    await run.done
    const url = run.upload.url
    assert.ok(url)
    const post = run.requests.find((r) => r.method === 'POST')
    assert.equal(post?.status, 201)
    const patches = run.requests.filter((r) => r.method === 'PATCH')
    assert.ok(patches.length >= 6, `chunked: ${patches.length} PATCHes`)
    const head = await headUpload(url)
    assert.equal(head.offset, size)
    assert.equal(head.length, size, 'the last PATCH declared the length')
    assert.equal(await sha256File(join(server.directory, uploadId(url))), await sha256File(path))
  } finally {
    input.destroy()
    await server.close()
    await removeDir(dir)
  }
})
