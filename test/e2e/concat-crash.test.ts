/**
 * SIGKILL in the middle of a concatenation: the server runs in a child process (FileStore
 * with `fsync: true`) and is killed while it copies the parts of a final upload. The final
 * must then read as not yet concatenated (no data file, or an empty one; no `Upload-Offset`),
 * never as a complete upload with a half-written body, and a new process must concatenate it
 * intact on the next HEAD.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createReadStream } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import {
  MiB,
  makeTempDir,
  removeDir,
  sha256File,
  storedSize,
  writeRandomFile,
} from '../helpers/files.js'
import {
  TUS,
  createUpload,
  patchHeaders,
  simpleRequest,
  uploadId,
  waitFor,
} from '../helpers/requests.js'
import { startCrashServer } from '../fixtures/child-server.js'

const PART = 32 * MiB
// The final lists the two parts four times each: 256 MiB to copy, time enough to be killed.
const REPEAT = 4

let dir: string
let source: string

before(async () => {
  dir = await makeTempDir('tuskit-e2e-concat-crash-')
  source = await writeRandomFile(join(dir, 'source.bin'), 2 * PART)
})

after(async () => {
  await removeDir(dir)
})

/** sha256 of the source's two halves, each repeated as the final lists them. */
async function expectedDigest(): Promise<string> {
  const hash = createHash('sha256')
  for (let i = 0; i < REPEAT; i++) {
    for (const start of [0, PART]) {
      for await (const chunk of createReadStream(source, { start, end: start + PART - 1 })) {
        hash.update(chunk as Buffer)
      }
    }
  }
  return hash.digest('hex')
}

test('SIGKILL while concatenating: the final stays empty, then completes intact', async (t) => {
  const store = join(dir, 'store')
  let child = await startCrashServer(store)
  try {
    const endpoint = `${child.origin}/files`
    const parts: string[] = []
    for (const start of [0, PART]) {
      const url = await createUpload(endpoint, PART, { 'Upload-Concat': 'partial' })
      const body = createReadStream(source, { start, end: start + PART - 1 })
      const res = await simpleRequest(url, 'PATCH', patchHeaders(0, PART), body)
      assert.equal(res.status, 204, res.body)
      parts.push(new URL(url).pathname)
    }
    const list = Array.from({ length: REPEAT }, () => parts).flat()

    // The POST concatenates before answering; kill the server once the copy is under way.
    const posting = simpleRequest(endpoint, 'POST', {
      ...TUS,
      'Upload-Concat': `final;${list.join(' ')}`,
    })
    posting.catch(() => undefined)
    let tmpSize = 0
    await waitFor(
      async () => {
        for (const name of await readdir(store)) {
          if (!name.endsWith('.tmp')) continue
          tmpSize = await storedSize(join(store, name))
          if (tmpSize >= PART) return true
        }
        return false
      },
      30_000,
      'the concatenation to be under way',
      1,
    )
    await child.kill()
    await assert.rejects(posting, 'the POST was never answered')

    // The final exists, with its length, but reads as empty: not concatenated yet.
    let finalId: string | undefined
    for (const name of await readdir(store)) {
      if (!name.endsWith('.json')) continue
      const info = JSON.parse(await readFile(join(store, name), 'utf8')) as {
        id: string
        concat?: { kind: string }
      }
      if (info.concat?.kind === 'final') finalId = info.id
    }
    assert.ok(finalId, 'the final was created before the kill')
    const total = 2 * PART * REPEAT
    assert.equal(await storedSize(join(store, finalId)), 0, 'no half-written body')
    t.diagnostic(`killed with ${tmpSize} of ${total} bytes in the temporary file`)

    child = await startCrashServer(store)
    const finalUrl = `${child.origin}/files/${finalId}`
    assert.equal(uploadId(finalUrl), finalId)
    const head = await simpleRequest(finalUrl, 'HEAD', { ...TUS }, undefined, 60_000)
    assert.equal(head.status, 200)
    assert.equal(head.headers['upload-offset'], String(total))
    assert.equal(head.headers['upload-length'], String(total))
    assert.equal(await sha256File(join(store, finalId)), await expectedDigest())
    // the parts are untouched
    for (const [i, path] of parts.entries()) {
      const id = path.slice(path.lastIndexOf('/') + 1)
      const start = i * PART
      assert.equal(
        await sha256File(join(store, id)),
        await sha256File(source, { start, end: start + PART }),
      )
    }
  } finally {
    await child.kill()
  }
})
