/**
 * Lock takeover and racing writers. A PATCH whose client stops sending (socket left open,
 * as with a dead connection) must not block the upload: a new request takes the lock, the
 * bytes already received are kept and reported, and the upload continues. Concurrent PATCHes
 * on one upload must never mix their bytes.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer } from '../helpers/server.js'
import { MemoryLocker } from '../../src/index.js'
import {
  KiB,
  MiB,
  storedSize,
  makeTempDir,
  removeDir,
  sha256File,
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
import { openRawRequest, type RawRequest, type SocketResponse } from '../helpers/raw-http.js'
import { patches, startTusUpload } from '../fixtures/tus-upload.js'

// The locker's configured acquireTimeout (not its default): a takeover must finish within it,
// or the new request would get a 423 instead of the offset.
const ACQUIRE_TIMEOUT = 2000
const lockerOptions = () => ({ locker: new MemoryLocker({ acquireTimeout: ACQUIRE_TIMEOUT }) })

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex')
}

/** How a raw request ended: its response, or the socket closing without one. */
async function outcome(req: RawRequest, timeoutMs: number): Promise<SocketResponse | 'closed'> {
  return withTimeout(
    req.response.then(
      (r) => r,
      () => 'closed' as const,
    ),
    timeoutMs,
    'the request to get a response or be closed',
  )
}

describe('a PATCH stalled on a dead connection', () => {
  for (const first of [3 * MiB + 4321, 0]) {
    const what = first === 0 ? 'after its headers only' : `after ${first} body bytes`
    test(`HEAD takes over within the lock timeout (stalled ${what}); the upload completes`, async (t) => {
      const server = await startServer(lockerOptions())
      const N = 8 * MiB
      const data = randomBytes(N)
      let stalled: RawRequest | undefined
      try {
        const url = await createUpload(server.endpoint, N)
        const dataFile = join(server.directory, uploadId(url))
        stalled = await openRawRequest(server.origin, 'PATCH', new URL(url).pathname, {
          ...patchHeaders(0, N),
        })
        if (first > 0) await stalled.write(data.subarray(0, first))
        // The client now goes silent with its socket open; wait until the server has stored all
        // it got, so the offset to expect is exact.
        await waitFor(
          async () => (await storedSize(dataFile)) === first,
          10_000,
          'first bytes stored',
        )

        const started = Date.now()
        const head = await headUpload(url, ACQUIRE_TIMEOUT + 2000)
        const elapsed = Date.now() - started
        t.diagnostic(`HEAD answered in ${elapsed} ms`)
        assert.equal(head.status, 200)
        assert.ok(elapsed < ACQUIRE_TIMEOUT, `HEAD took ${elapsed} ms`)
        assert.equal(head.offset, first, 'offset == bytes received before the stall')
        assert.equal(await storedSize(dataFile), first)

        // The stalled request is finished off: an error response or a closed socket.
        const old = await outcome(stalled, 5000)
        if (old !== 'closed') assert.ok(old.status >= 400, `stalled PATCH got ${old.status}`)
        t.diagnostic(`stalled PATCH: ${old === 'closed' ? 'socket closed' : old.status}`)
        await withTimeout(stalled.closed, 5000, 'the stalled socket to close')
        // Late bytes from the old client must not land anywhere.
        await stalled.write(data.subarray(first, first + 64 * KiB)).catch(() => undefined)
        await sleep(50)
        assert.equal(await storedSize(dataFile), first, 'late bytes of the old request are ignored')

        const res = await simpleRequest(
          url,
          'PATCH',
          patchHeaders(first, N - first),
          data.subarray(first),
        )
        assert.equal(res.status, 204, res.body)
        assert.equal(res.headers['upload-offset'], String(N))
        assert.equal(await sha256File(dataFile), sha256(data))
      } finally {
        stalled?.destroy()
        await server.close()
      }
    })
  }

  test('a PATCH takes over directly, at the offset the server reports', async () => {
    const server = await startServer(lockerOptions())
    const N = 2 * MiB
    const data = randomBytes(N)
    const first = 700 * KiB + 1
    let stalled: RawRequest | undefined
    try {
      const url = await createUpload(server.endpoint, N)
      const dataFile = join(server.directory, uploadId(url))
      stalled = await openRawRequest(
        server.origin,
        'PATCH',
        new URL(url).pathname,
        patchHeaders(0, N),
      )
      await stalled.write(data.subarray(0, first))
      await waitFor(
        async () => (await storedSize(dataFile)) === first,
        10_000,
        'first bytes stored',
      )

      // A client that guessed wrong learns the real offset from the 409, within the timeout.
      const started = Date.now()
      const wrong = await simpleRequest(
        url,
        'PATCH',
        patchHeaders(0, 0),
        Buffer.alloc(0),
        ACQUIRE_TIMEOUT + 2000,
      )
      assert.ok(Date.now() - started < ACQUIRE_TIMEOUT)
      assert.equal(wrong.status, 409)
      assert.equal(wrong.headers['upload-offset'], String(first))

      const res = await simpleRequest(
        url,
        'PATCH',
        patchHeaders(first, N - first),
        data.subarray(first),
      )
      assert.equal(res.status, 204, res.body)
      assert.equal(await sha256File(dataFile), sha256(data))
      await outcome(stalled, 5000)
    } finally {
      stalled?.destroy()
      await server.close()
    }
  })
})

describe('racing PATCHes on one upload', () => {
  /** Sends `buf` in pieces, pausing `pauseMs` after each; stops when the socket goes away. */
  async function send(req: RawRequest, buf: Buffer, pauseMs: number): Promise<void> {
    const piece = 64 * KiB + 3
    for (let pos = 0; pos < buf.length; pos += piece) {
      if (req.socket.destroyed) return
      try {
        await req.write(buf.subarray(pos, pos + piece))
      } catch {
        return
      }
      if (pauseMs > 0) await sleep(pauseMs)
    }
  }

  interface Timing {
    name: string
    /** Pause after each 64 KiB piece of A's body. */
    aPauseMs: number
    /** B's request is opened once this many of A's bytes are on disk. */
    bAfterBytes: number
  }
  const timings: Timing[] = [
    { name: 'both start together', aPauseMs: 0, bAfterBytes: 0 },
    { name: 'B starts once A has stored 1 MiB', aPauseMs: 1, bAfterBytes: 1 * MiB },
    { name: 'B starts once A has stored 3 MiB', aPauseMs: 1, bAfterBytes: 3 * MiB },
  ]

  for (const timing of timings) {
    test(`two raw PATCHes at offset 0 never interleave (${timing.name})`, async (t) => {
      const server = await startServer()
      const N = 4 * MiB
      const A = randomBytes(N)
      const B = randomBytes(N)
      const reqs: RawRequest[] = []
      try {
        const url = await createUpload(server.endpoint, N)
        const path = new URL(url).pathname
        const dataFile = join(server.directory, uploadId(url))
        const a = await openRawRequest(server.origin, 'PATCH', path, patchHeaders(0, N))
        reqs.push(a)
        const sendingA = send(a, A, timing.aPauseMs)
        if (timing.bAfterBytes > 0) {
          await waitFor(
            async () => (await storedSize(dataFile)) >= timing.bAfterBytes,
            10_000,
            `A to store ${timing.bAfterBytes} bytes`,
            1,
          )
        }
        const b = await openRawRequest(server.origin, 'PATCH', path, patchHeaders(0, N))
        reqs.push(b)
        await withTimeout(
          Promise.all([sendingA, send(b, B, 0)]),
          20_000,
          'both bodies to be sent or refused',
        )
        const [oa, ob] = await Promise.all([outcome(a, 10_000), outcome(b, 10_000)])
        const describeOutcome = (o: SocketResponse | 'closed'): string =>
          o === 'closed' ? 'closed' : String(o.status)
        t.diagnostic(`A: ${describeOutcome(oa)}, B: ${describeOutcome(ob)}`)

        const stored = await storedSize(dataFile)
        const head = await headUpload(url)
        assert.equal(head.offset, stored)
        const content = await readPrefix(dataFile, stored)
        const fromA = content.equals(A.subarray(0, stored))
        const fromB = content.equals(B.subarray(0, stored))
        assert.ok(fromA || fromB, 'the stored bytes come from one request only')
        for (const o of [oa, ob]) {
          if (o !== 'closed') assert.ok([204, 400, 409, 423].includes(o.status), `got ${o.status}`)
        }
        const winner = fromA ? A : B
        t.diagnostic(`stored ${stored} bytes, all from ${fromA ? 'A' : 'B'}`)

        if (stored < N) {
          const res = await simpleRequest(
            url,
            'PATCH',
            patchHeaders(stored, N - stored),
            winner.subarray(stored),
          )
          assert.equal(res.status, 204, res.body)
        }
        assert.equal(await sha256File(dataFile), sha256(winner))
      } finally {
        for (const r of reqs) r.destroy()
        await server.close()
      }
    })
  }

  test('two tus-js-client uploads of one file to one URL finish with the exact file', async (t) => {
    const server = await startServer()
    const dir = await makeTempDir('tuskit-e2e-race-')
    const SIZE = 16 * MiB
    const inputs: ReturnType<typeof createReadStream>[] = []
    try {
      const source = await writeRandomFile(join(dir, 'source.bin'), SIZE)
      const url = await createUpload(server.endpoint, SIZE)
      const runs = [0, 1].map(() => {
        const input = createReadStream(source)
        inputs.push(input)
        return startTusUpload(input, {
          uploadUrl: url,
          chunkSize: 2 * MiB,
          retryDelays: [0, 10, 50, 100, 200, 300, 500],
          // Being interrupted by the other client is expected here: always retry.
          onShouldRetry: () => true,
        })
      })
      const results = await Promise.allSettled(runs.map((r) => r.done))
      const ok = results.filter((r) => r.status === 'fulfilled').length
      t.diagnostic(
        `${ok}/2 clients succeeded; PATCHes: ${runs.map((r) => patches(r.requests).length).join(', ')}`,
      )
      assert.ok(ok >= 1, `no client finished: ${JSON.stringify(results)}`)
      const head = await headUpload(url)
      assert.equal(head.offset, SIZE)
      assert.equal(
        await sha256File(join(server.directory, uploadId(url))),
        await sha256File(source),
      )
    } finally {
      for (const i of inputs) i.destroy()
      await server.close()
      await removeDir(dir)
    }
  })
})

async function readPrefix(path: string, length: number): Promise<Buffer> {
  if (length === 0) return Buffer.alloc(0)
  const chunks: Buffer[] = []
  for await (const c of createReadStream(path, { start: 0, end: length - 1 })) {
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks)
}
