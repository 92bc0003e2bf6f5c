/**
 * SIGKILL in the middle of a PATCH: the server runs in a child process (FileStore with
 * `fsync: true`) and is killed while a 64 MiB body streams in. A new process on the same
 * folder must report an offset equal to the bytes really in the data file, those bytes must
 * be the source's, and the upload must then complete intact.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createReadStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  KiB,
  MiB,
  fileSize,
  storedSize,
  firstDifference,
  makeTempDir,
  removeDir,
  sha256File,
  writeRandomFile,
} from '../helpers/files.js'
import {
  createUpload,
  headUpload,
  patchHeaders,
  uploadId,
  waitFor,
  withTimeout,
} from '../helpers/requests.js'
import { openRawRequest, type RawRequest } from '../helpers/raw-http.js'
import { startCrashServer } from '../fixtures/child-server.js'
import { patches, startTusUpload } from '../fixtures/tus-upload.js'

const SIZE = 64 * MiB
// Where to kill, as bytes in the data file; odd values so no kill lands on a round boundary.
const KILL_POINTS = [9 * MiB + 12_345, 27 * MiB + 777, 46 * MiB + 3]
// The client stays at most this far ahead of the disk, so the upload cannot finish before
// the kill and the server is still busy receiving when it dies.
const MAX_LEAD = 4 * MiB

/**
 * Streams `source[from, SIZE)` into `req` in odd-sized pieces, never more than `MAX_LEAD`
 * ahead of what `stored()` reports, until everything is sent or the socket dies. Never
 * rejects; resolves with the body bytes handed to the socket.
 */
async function pump(
  req: RawRequest,
  source: string,
  from: number,
  stored: () => number,
): Promise<number> {
  const stream = createReadStream(source, { start: from, highWaterMark: 64 * KiB + 7 })
  try {
    for await (const chunk of stream) {
      const deadline = Date.now() + 10_000
      while (from + req.sent - stored() > MAX_LEAD && !req.socket.destroyed) {
        if (Date.now() > deadline) return req.sent
        await sleep(1)
      }
      if (req.socket.destroyed) break
      await req.write(chunk as Buffer)
    }
  } catch {
    // The socket died under us: that is the point.
  } finally {
    stream.destroy()
  }
  return req.sent
}

let dir: string
let source: string
let sourceSha: string

before(async () => {
  dir = await makeTempDir('tuskit-e2e-crash-')
  source = await writeRandomFile(join(dir, 'source.bin'), SIZE)
  sourceSha = await sha256File(source)
})

after(async () => {
  await removeDir(dir)
})

test('SIGKILL during PATCH: offset == bytes on disk, prefix intact, upload completes', async (t) => {
  const storeDir = join(dir, 'store')
  await mkdir(storeDir)
  let child = await startCrashServer(storeDir)
  try {
    const url = await createUpload(`${child.origin}/files`, SIZE, {
      'Upload-Metadata': `filename ${Buffer.from('crash.bin').toString('base64')}`,
    })
    const id = uploadId(url)
    const dataFile = join(storeDir, id)
    let offset = 0

    for (const killAt of KILL_POINTS) {
      assert.ok(offset < killAt)
      let onDisk = offset
      const req = await openRawRequest(
        child.origin,
        'PATCH',
        `/files/${id}`,
        patchHeaders(offset, SIZE - offset),
      )
      try {
        const sending = pump(req, source, offset, () => onDisk)
        await waitFor(
          async () => (onDisk = await storedSize(dataFile)) >= killAt,
          30_000,
          `${killAt} bytes on disk`,
          2,
        )
        await child.kill('SIGKILL')
        const sent = await withTimeout(sending, 15_000, 'the client to notice the kill')
        await withTimeout(req.closed, 10_000, 'the socket to close')
        await assert.rejects(req.response, 'no response from a killed server')

        child = await startCrashServer(storeDir)
        const sizeOnDisk = await fileSize(dataFile)
        const head = await headUpload(`${child.origin}/files/${id}`)
        assert.equal(head.status, 200)
        assert.equal(head.length, SIZE)
        assert.equal(head.offset, sizeOnDisk, 'HEAD offset is the data file size')
        assert.ok(head.offset >= killAt, `offset ${head.offset} >= kill point ${killAt}`)
        assert.ok(head.offset <= offset + sent, 'never more than was sent')
        assert.ok(head.offset < SIZE, 'the kill came before the end')
        assert.equal(
          await firstDifference(dataFile, source, head.offset),
          -1,
          'the stored prefix is the source prefix',
        )
        t.diagnostic(
          `killed at ${onDisk} bytes on disk (client sent up to ${offset + sent}); after restart offset ${head.offset}`,
        )
        offset = head.offset
      } finally {
        req.destroy()
      }
    }

    // Complete the upload with tus-js-client from the offset the restarted server reports.
    const input = createReadStream(source)
    try {
      const run = startTusUpload(input, {
        uploadUrl: `${child.origin}/files/${id}`,
        chunkSize: 16 * MiB,
      })
      await run.done
      assert.equal(patches(run.requests)[0]?.offset, offset, 'resumed at the stored offset')
    } finally {
      input.destroy()
    }
    const head = await headUpload(`${child.origin}/files/${id}`)
    assert.equal(head.offset, SIZE)
    assert.equal(head.length, SIZE)
    assert.equal(await sha256File(dataFile), sourceSha)
  } finally {
    await child.kill()
  }
})
