/**
 * The FileStore's temporary files, watched with strace in a server of its own process
 * (trace-server.js, `fsync: true`):
 *
 * - a DELETE finds an upload's temporary files by name: while uploads of every kind are
 *   deleted, the server reads no folder (no `getdents64` on the upload folder), though the
 *   folder holds thousands of other files;
 * - a new store removes old temporary files, of any name layout (an older version's random
 *   names), with one listing at start, and keeps young ones (a write may be in flight);
 * - an info update and a concatenation killed by a real SIGKILL right at their rename (strace
 *   fault injection) leave their temporary files, and a DELETE of the upload removes them.
 *
 * Needs strace (Linux); without it the tests skip, except under CI.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createHash } from 'node:crypto'
import { existsSync, realpathSync } from 'node:fs'
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { newUploadId } from '../../src/store.js'
import { needProgram, STRACE } from '../helpers/external.js'
import { makeTempDir, removeDir } from '../helpers/files.js'
import {
  TUS,
  createUpload,
  patchHeaders,
  simpleRequest,
  uploadId,
  waitFor,
  withTimeout,
} from '../helpers/requests.js'
import { fixturePath, startChildServer, type ChildServer } from '../fixtures/child-server.js'

const TRACE_SERVER = fixturePath('trace-server.js')

/** trace-server.js under strace, with `args` before the command (what to trace, inject). */
function startTraced(strace: string, store: string, args: string[]): Promise<ChildServer> {
  const execArgv = ['-f', '--seccomp-bpf', '-qq', ...args, process.execPath]
  return startChildServer(TRACE_SERVER, [store], { execPath: strace, execArgv })
}

/** Lets the server exit by itself (IPC disconnect), so strace finishes its log, and waits. */
async function stop(server: ChildServer): Promise<void> {
  const child = server.process
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  if (child.connected) child.disconnect()
  await withTimeout(exited, 10_000, 'the traced server to exit')
}

function metadataId(id: string): Record<string, string> {
  return { 'Upload-Metadata': `id ${Buffer.from(id).toString('base64')}` }
}

async function patch(url: string, offset: number, body: Buffer, extra = {}): Promise<number> {
  const headers = patchHeaders(offset, body.length, extra)
  return (await simpleRequest(url, 'PATCH', headers, body)).status
}

/** Creates an upload of deferred length; resolves with its URL. */
async function createDeferred(endpoint: string, extra: Record<string, string> = {}) {
  const headers = { ...TUS, 'Upload-Defer-Length': '1', ...extra }
  const res = await simpleRequest(endpoint, 'POST', headers)
  assert.equal(res.status, 201, res.body)
  return new URL(String(res.headers.location), endpoint).href
}

async function del(url: string): Promise<number> {
  return (await simpleRequest(url, 'DELETE', { ...TUS })).status
}

/** Two complete partial uploads of `body`'s halves; resolves with their URLs. */
async function parts(endpoint: string, body: Buffer): Promise<string[]> {
  const halves = [body.subarray(0, body.length / 2), body.subarray(body.length / 2)]
  const urls: string[] = []
  for (const half of halves) {
    const url = await createUpload(endpoint, half.length, { 'Upload-Concat': 'partial' })
    assert.equal(await patch(url, 0, half), 204)
    urls.push(url)
  }
  return urls
}

function finalHeader(partUrls: string[]): string {
  return `final;${partUrls.map((u) => new URL(u).pathname).join(' ')}`
}

async function withStrace(
  t: TestContext,
  fn: (strace: string, dir: string, store: string) => Promise<void>,
): Promise<void> {
  const strace = needProgram(t, STRACE)
  if (strace === undefined) return
  const dir = await makeTempDir('tuskit-e2e-temp-files-')
  try {
    const store = join(dir, 'store')
    await mkdir(store)
    await fn(strace, dir, realpathSync(store))
  } finally {
    await removeDir(dir)
  }
}

test('DELETE reads no folder; old temporary files of any layout go at start', async (t) => {
  await withStrace(t, async (strace, dir, store) => {
    // Other files: reading the folder takes several getdents64 calls.
    const others = Array.from({ length: 3000 }, (_, i) => `other-${i}`)
    for (const name of others) await writeFile(join(store, name), '')
    // Temporary files of an older version (random names) a crash left two hours ago, and a
    // young one, which a creation in flight may still be writing.
    const old = [`${newUploadId()}.json.0123456789ab.tmp`, `${newUploadId()}.ba9876543210.tmp`]
    const young = `${newUploadId()}.json.abcdef012345.tmp`
    for (const name of [...old, young]) await writeFile(join(store, name), '{')
    const hoursAgo = new Date(Date.now() - 2 * 3600_000)
    for (const name of old) await utimes(join(store, name), hoursAgo, hoursAgo)

    const log = join(dir, 'strace.log')
    const server = await startTraced(strace, store, [
      '-y',
      '-o',
      log,
      '-e',
      'trace=getdents64,%%stat',
    ])
    const endpoint = `${server.origin}/files`
    // Marks in the trace: a HEAD of an unknown id looks up `<dir>/<id>.json`.
    const [start, end] = [`start${newUploadId()}`, `end${newUploadId()}`]
    const mark = async (id: string): Promise<void> => {
      assert.equal((await simpleRequest(`${endpoint}/${id}`, 'HEAD', { ...TUS })).status, 404)
    }
    try {
      // The store's sweep at start reads the whole folder, then deletes what it found.
      const gone = (): boolean => old.every((name) => !existsSync(join(store, name)))
      await waitFor(gone, 30_000, 'old temporary files to be swept at start', 10)
      assert.ok(existsSync(join(store, young)), 'a young temporary file is kept')

      // Uploads of every kind, each of whose writes has temporary files of its own.
      const body = Buffer.from('0123456789abcdef')
      const plain = await createUpload(endpoint, 10)
      assert.equal(await patch(plain, 0, body.subarray(0, 4)), 204)
      const deferred = await createDeferred(endpoint)
      assert.equal(await patch(deferred, 0, body, { 'Upload-Length': '16' }), 204)
      const checksum = `sha1 ${createHash('sha1').update(body).digest('base64')}`
      const checked = await createUpload(endpoint, 16)
      assert.equal(await patch(checked, 0, body, { 'Upload-Checksum': checksum }), 204)
      const partUrls = await parts(endpoint, body)
      const res = await simpleRequest(endpoint, 'POST', {
        ...TUS,
        'Upload-Concat': finalHeader(partUrls),
      })
      assert.equal(res.status, 201)
      const final = new URL(String(res.headers.location), endpoint).href

      await mark(start)
      for (const url of [plain, deferred, checked, final, ...partUrls]) {
        assert.equal(await del(url), 204, `DELETE ${url}`)
      }
      await mark(end)
    } finally {
      await stop(server)
    }
    assert.deepEqual((await readdir(store)).sort(), [...others, young].sort())

    const lines = (await readFile(log, 'utf8')).split('\n')
    const at = (id: string): number => lines.findIndex((l) => l.includes(`/${id}.json"`))
    const [from, to] = [at(start), at(end)]
    assert.ok(from > 0 && to > from, `marks found in the trace (${from}, ${to})`)
    const readsStore = (line: string): boolean => /getdents64\(\d+<(.*?)>/.exec(line)?.[1] === store
    // Seen at start: the trace does show this folder being read.
    assert.ok(lines.slice(0, from).filter(readsStore).length >= 2, 'the listing at start')
    assert.deepEqual(lines.slice(from, to).filter(readsStore), [], 'folder read by a DELETE')
  })
})

test('files of an info update and a concatenation killed at their rename go with a DELETE', async (t) => {
  await withStrace(t, async (strace, _dir, store) => {
    const [deferred, final] = [newUploadId(), newUploadId()]
    const infoTemp = join(store, `${deferred}.json.tmp`)
    const concatTemp = join(store, `${final}.concat.tmp`)
    // A SIGKILL right at the rename that would have installed the temporary file: what a
    // crash at the worst moment leaves.
    const killAtRename = (path: string): string[] => [
      '-o',
      '/dev/null',
      '-P',
      path,
      '-e',
      'inject=rename,renameat,renameat2:signal=KILL',
    ]

    // A deferred length declared by a PATCH: the new info file is written, never installed.
    let server = await startTraced(strace, store, killAtRename(infoTemp))
    try {
      const url = await createDeferred(`${server.origin}/files`, metadataId(deferred))
      assert.equal(uploadId(url), deferred)
      await assert.rejects(
        simpleRequest(
          url,
          'PATCH',
          patchHeaders(0, 3, { 'Upload-Length': '8' }),
          Buffer.from('abc'),
        ),
        'the PATCH is cut by the kill',
      )
    } finally {
      await server.kill()
    }
    assert.ok(existsSync(infoTemp), 'the killed info update left its temporary file')

    // A concatenation: its body is written, its info updated, its rename killed.
    server = await startTraced(strace, store, killAtRename(concatTemp))
    const body = Buffer.from('0123456789abcdef')
    let partUrls: string[] = []
    try {
      const endpoint = `${server.origin}/files`
      partUrls = await parts(endpoint, body)
      const posting = simpleRequest(endpoint, 'POST', {
        ...TUS,
        'Upload-Concat': finalHeader(partUrls),
        ...metadataId(final),
      })
      await assert.rejects(posting, 'the POST of the final is cut by the kill')
    } finally {
      await server.kill()
    }
    assert.deepEqual(await readFile(concatTemp), body, 'the killed concatenation left its file')

    // A server without strace: the lost length was never acknowledged; both DELETEs clean up.
    server = await startChildServer(TRACE_SERVER, [store])
    try {
      const endpoint = `${server.origin}/files`
      const h = await simpleRequest(`${endpoint}/${deferred}`, 'HEAD', { ...TUS })
      assert.equal(h.status, 200)
      assert.equal(h.headers['upload-defer-length'], '1', 'the unacknowledged length is not there')
      for (const id of [deferred, final]) assert.equal(await del(`${endpoint}/${id}`), 204)
    } finally {
      await server.kill()
    }
    const left = await readdir(store)
    const partIds = partUrls.map(uploadId)
    assert.deepEqual(left.sort(), partIds.flatMap((id) => [id, `${id}.json`]).sort())
  })
})
