/**
 * SIGKILL during a checksummed PATCH (tus `checksum` is all or nothing, even across a crash).
 * The server runs in a child process (FileStore with `fsync: true`); a 32 MiB PATCH with
 * `Upload-Checksum` is sent after a first 1 MiB chunk, and the server is killed
 *
 * - A: while the body streams into the staging file: after a restart the offset is the prior
 *   one, the data file is byte for byte what it was, and a retry with the same checksum
 *   completes the upload;
 * - B: the moment the whole body has been staged, so while it is verified and committed: the
 *   offset after a restart is the prior one or the full one, never in between, and the bytes
 *   are the source's.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  MiB,
  KiB,
  fileSize,
  firstDifference,
  makeTempDir,
  removeDir,
  sha256File,
  storedSize,
  writeRandomFile,
} from '../helpers/files.js'
import {
  createUpload,
  headUpload,
  patchHeaders,
  simpleRequest,
  uploadId,
  waitFor,
  withTimeout,
} from '../helpers/requests.js'
import { openRawRequest, type RawRequest } from '../helpers/raw-http.js'
import { startCrashServer, type ChildServer } from '../fixtures/child-server.js'

const PRIOR = 1 * MiB
const CHUNK = 32 * MiB
const TOTAL = PRIOR + CHUNK
/** Scenario A kills once this much of the chunk is staged. */
const KILL_AT = 20 * MiB + 4_321
/** The client stays at most this far ahead of the staging file in scenario A. */
const MAX_LEAD = 4 * MiB

/** Base64 digest of `source[start, end)`, streamed. */
async function digestOf(algorithm: string, path: string, start: number, end: number) {
  const hash = createHash(algorithm)
  for await (const chunk of createReadStream(path, { start, end: end - 1 })) {
    hash.update(chunk as Buffer)
  }
  return hash.digest('base64')
}

/** Streams `source[from, to)` into `req`, at most `lead` bytes ahead of `staged()`. */
async function send(
  req: RawRequest,
  source: string,
  from: number,
  to: number,
  staged: () => number,
  lead = Infinity,
): Promise<void> {
  const stream = createReadStream(source, { start: from, end: to - 1, highWaterMark: 64 * KiB + 7 })
  try {
    for await (const chunk of stream) {
      const deadline = Date.now() + 10_000
      while (req.sent - staged() > lead && !req.socket.destroyed && Date.now() < deadline) {
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
}

/** PATCHes `source[from, to)` in one request with its checksum; resolves with the status. */
async function patchRange(origin: string, id: string, source: string, from: number, to: number) {
  const res = await simpleRequest(
    `${origin}/files/${id}`,
    'PATCH',
    patchHeaders(from, to - from, {
      'Upload-Checksum': `sha1 ${await digestOf('sha1', source, from, to)}`,
    }),
    createReadStream(source, { start: from, end: to - 1 }),
  )
  return res
}

let dir: string
let source: string
let sourceSha: string

before(async () => {
  dir = await makeTempDir('tuskit-e2e-checksum-crash-')
  source = await writeRandomFile(join(dir, 'source.bin'), TOTAL)
  sourceSha = await sha256File(source)
})

after(async () => {
  await removeDir(dir)
})

/**
 * Creates an upload, stores its first `PRIOR` bytes with a checksum, then opens the
 * checksummed PATCH of the remaining `CHUNK` bytes and lets `killWhen` decide when to kill.
 * Returns the upload id and the restarted server.
 */
async function crashDuringPatch(
  storeDir: string,
  lead: number,
  killWhen: (staged: number) => boolean,
): Promise<{ id: string; child: ChildServer; stagedAtKill: number; leftAtKill: string[] }> {
  let child = await startCrashServer(storeDir)
  try {
    const url = await createUpload(`${child.origin}/files`, TOTAL)
    const id = uploadId(url)
    const first = await patchRange(child.origin, id, source, 0, PRIOR)
    assert.equal(first.status, 204, first.body)
    assert.equal(first.headers['upload-offset'], String(PRIOR))

    const staging = join(storeDir, `${id}.chunk`)
    let staged = 0
    const req = await openRawRequest(
      child.origin,
      'PATCH',
      `/files/${id}`,
      patchHeaders(PRIOR, CHUNK, {
        'Upload-Checksum': `sha256 ${await digestOf('sha256', source, PRIOR, TOTAL)}`,
      }),
    )
    let stagedAtKill: number
    let leftAtKill: string[]
    try {
      const sending = send(req, source, PRIOR, TOTAL, () => staged, lead)
      await waitFor(
        async () => killWhen((staged = await storedSize(staging))),
        30_000,
        'the staging file to grow',
        1,
      )
      stagedAtKill = staged
      await child.kill()
      leftAtKill = (await readdir(storeDir)).filter((f) => f.startsWith(id)).sort()
      await withTimeout(sending, 15_000, 'the client to notice the kill')
      await withTimeout(req.closed, 10_000, 'the socket to close')
      const answered = await req.response.then(
        (r) => r.status,
        () => undefined,
      )
      assert.ok(answered === undefined || answered === 204, `response before the kill: ${answered}`)
    } finally {
      req.destroy()
    }
    child = await startCrashServer(storeDir)
    return { id, child, stagedAtKill, leftAtKill }
  } catch (err) {
    await child.kill()
    throw err
  }
}

test('A: SIGKILL while a checksummed body streams: offset and data file unchanged, retry completes', async (t) => {
  const storeDir = join(dir, 'store-a')
  await mkdir(storeDir)
  const { id, child, stagedAtKill, leftAtKill } = await crashDuringPatch(
    storeDir,
    MAX_LEAD,
    (staged) => staged >= KILL_AT,
  )
  try {
    const dataFile = join(storeDir, id)
    assert.ok(stagedAtKill >= KILL_AT && stagedAtKill < CHUNK, `killed mid-body (${stagedAtKill})`)
    assert.deepEqual(leftAtKill, [id, `${id}.chunk`, `${id}.json`], 'killed while staging')

    const head = await headUpload(`${child.origin}/files/${id}`)
    assert.equal(head.status, 200)
    assert.equal(head.offset, PRIOR, 'HEAD offset is the prior offset')
    assert.equal(await fileSize(dataFile), PRIOR, 'the data file did not grow')
    assert.equal(await firstDifference(dataFile, source, PRIOR), -1, 'the data file is unchanged')
    t.diagnostic(
      `killed with ${stagedAtKill} of ${CHUNK} bytes staged; after restart offset ${head.offset}, data file ${await fileSize(dataFile)} bytes`,
    )

    const retry = await patchRange(child.origin, id, source, PRIOR, TOTAL)
    assert.equal(retry.status, 204, retry.body)
    assert.equal(retry.headers['upload-offset'], String(TOTAL))
    assert.equal(await sha256File(dataFile), sourceSha)
    const left = (await readdir(storeDir)).filter((f) => f.startsWith(id)).sort()
    assert.deepEqual(left, [id, `${id}.json`], 'the stale staging file is gone')
  } finally {
    await child.kill()
  }
})

test('B: SIGKILL once the whole body is staged (verifying/committing): all or nothing', async (t) => {
  const storeDir = join(dir, 'store-b')
  await mkdir(storeDir)
  const { id, child, stagedAtKill, leftAtKill } = await crashDuringPatch(
    storeDir,
    Infinity,
    (staged) => staged >= CHUNK,
  )
  try {
    const dataFile = join(storeDir, id)
    const sizeAfterRestart = await fileSize(dataFile)
    const head = await headUpload(`${child.origin}/files/${id}`)
    assert.equal(head.status, 200)
    assert.ok(
      head.offset === PRIOR || head.offset === TOTAL,
      `offset ${head.offset} is the prior ${PRIOR} or the full ${TOTAL}, nothing in between`,
    )
    assert.equal(await firstDifference(dataFile, source, head.offset), -1, 'bytes are the source')
    const phase = leftAtKill.includes(`${id}.commit`)
      ? 'committing (marker written)'
      : leftAtKill.includes(`${id}.chunk`)
        ? 'verifying (staged, no marker yet)'
        : 'after the commit'
    t.diagnostic(
      `killed with ${stagedAtKill} bytes staged, files ${leftAtKill.join(' ')} -> ${phase}; after restart offset ${head.offset}, data file ${sizeAfterRestart} bytes`,
    )
    if (head.offset === PRIOR) {
      const retry = await patchRange(child.origin, id, source, PRIOR, TOTAL)
      assert.equal(retry.status, 204, retry.body)
      assert.equal(retry.headers['upload-offset'], String(TOTAL))
    }
    assert.equal((await headUpload(`${child.origin}/files/${id}`)).offset, TOTAL)
    assert.equal(await sha256File(dataFile), sourceSha)
    const left = (await readdir(storeDir)).filter((f) => f.startsWith(id)).sort()
    assert.deepEqual(left, [id, `${id}.json`], 'no staging file or marker left')
  } finally {
    await child.kill()
  }
})
