import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { storedSize } from '../helpers/files.js'
import { startServer, withServer, type TestServer } from '../helpers/server.js'
import { openSocket, requestHead, writeAll, type RawHeaders } from '../helpers/raw-http.js'
import { OCTET, create, dataOf, head, patch, patchHead, portOf } from './tus-client.js'

const TOTAL = 1_000_000
const SENT = 400_000

/** Waits (bounded: ~3 s) until `check` is true. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Sends a request head and the first `SENT` bytes of a `TOTAL`-byte body, then kills it. */
async function sendAndKill(
  s: TestServer,
  method: string,
  path: string,
  headers: RawHeaders,
  data: Buffer,
  file: () => Promise<string | undefined>,
): Promise<void> {
  const socket = await openSocket(portOf(s))
  socket.on('error', () => undefined)
  try {
    await writeAll(socket, requestHead(method, path, headers))
    await writeAll(socket, data.subarray(0, SENT))
    // let the server store something before the client goes away
    await waitFor(async () => {
      const f = await file()
      return f !== undefined && (await storedSize(join(s.directory, f))) > 0
    })
  } finally {
    socket.destroy()
  }
}

test('client disconnect mid-PATCH: received bytes are kept and the upload resumes', async () => {
  await withServer(async (s) => {
    const data = randomBytes(TOTAL)
    const { url, id } = await create(s, { 'Upload-Length': String(TOTAL) })
    const port = portOf(s)
    await sendAndKill(
      s,
      'PATCH',
      `/files/${id}`,
      [
        ['Host', `127.0.0.1:${port}`],
        ['Tus-Resumable', '1.0.0'],
        ['Content-Type', OCTET],
        ['Upload-Offset', '0'],
        ['Content-Length', String(TOTAL)],
      ],
      data,
      async () => id,
    )
    const h = await head(url)
    assert.equal(h.status, 200)
    const offset = Number(h.headers.get('upload-offset'))
    const stored = await dataOf(s, id)
    assert.equal(offset, stored.length, 'HEAD offset equals the bytes on disk')
    assert.ok(offset > 0 && offset <= SENT, `offset ${offset}`)
    assert.ok(stored.equals(data.subarray(0, offset)), 'stored bytes are a prefix of the data')

    const rest = await patch(url, offset, data.subarray(offset))
    assert.equal(rest.status, 204)
    assert.equal(rest.headers.get('upload-offset'), String(TOTAL))
    assert.ok((await dataOf(s, id)).equals(data), 'final bytes match')
  })
})

test('client disconnect mid creation-with-upload: the upload exists with the bytes received', async () => {
  await withServer(async (s) => {
    const data = randomBytes(TOTAL)
    const port = portOf(s)
    const findId = async () => (await readdir(s.directory)).find((f) => /^[A-Za-z0-9_-]+$/.test(f))
    await sendAndKill(
      s,
      'POST',
      '/files',
      [
        ['Host', `127.0.0.1:${port}`],
        ['Tus-Resumable', '1.0.0'],
        ['Content-Type', OCTET],
        ['Upload-Length', String(TOTAL)],
        ['Content-Length', String(TOTAL)],
      ],
      data,
      findId,
    )
    const id = await findId()
    assert.ok(id, 'upload created')
    const url = `${s.endpoint}/${id}`
    const h = await head(url)
    assert.equal(h.status, 200)
    const offset = Number(h.headers.get('upload-offset'))
    assert.ok(offset > 0 && offset <= SENT, `offset ${offset}`)
    assert.equal(offset, (await dataOf(s, id)).length)
    const rest = await patch(url, offset, data.subarray(offset))
    assert.equal(rest.status, 204)
    assert.ok((await dataOf(s, id)).equals(data))
  })
})

test('HEAD during a stalled PATCH answers promptly with the exact offset', async () => {
  const s = await startServer()
  const { url, id } = await create(s, { 'Upload-Length': '1000' })
  const socket = await openSocket(portOf(s))
  socket.on('error', () => undefined)
  try {
    await writeAll(socket, patchHead(portOf(s), id, 0, 1000))
    await writeAll(socket, Buffer.alloc(100, 0x62))
    await waitFor(async () => (await dataOf(s, id)).length >= 100)
    // the client now goes silent without closing; a new request takes over
    const started = Date.now()
    const h = await head(url)
    assert.equal(h.status, 200)
    assert.ok(Date.now() - started < 2500, 'HEAD did not wait for the lock timeout')
    assert.equal(h.headers.get('upload-offset'), '100')
    const rest = await patch(url, 100, Buffer.alloc(900, 0x63))
    assert.equal(rest.status, 204)
    assert.equal(rest.headers.get('upload-offset'), '1000')
    const stored = await dataOf(s, id)
    assert.ok(stored.equals(Buffer.concat([Buffer.alloc(100, 0x62), Buffer.alloc(900, 0x63)])))
  } finally {
    socket.destroy()
    await s.close()
  }
})
