/**
 * Hostile clients that hold on to the server: bodies and headers trickled or stalled
 * (slowloris), headers and metadata past the configured limits. Each is answered with a 4xx
 * or a closed connection, and meanwhile a normal upload by another client completes: the
 * server stays responsive. Path traversal, lying Content-Length and bodies past Upload-Length
 * are in bad-input.test.ts and patch.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server, type ServerOptions } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createTusHandler, FileStore, type TusHandlerOptions } from '../../src/index.js'
import { openSocket, parseResponse } from '../helpers/raw-http.js'
import { simpleRequest, withTimeout } from '../helpers/requests.js'
import { OCTET, TUS, patchHead } from './tus-client.js'

interface Hostile {
  server: Server
  port: number
  endpoint: string
  directory: string
  close(): Promise<void>
}

/** A tuskit server with Node server options of its own (limits and timeouts). */
async function startHostile(
  options: TusHandlerOptions,
  serverOptions: ServerOptions = {},
): Promise<Hostile> {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-hostile-'))
  const tus = createTusHandler(new FileStore({ directory, fsync: false }), options)
  const server = createServer(serverOptions, (req, res) =>
    tus(req, res, () => {
      res.statusCode = 404
      res.end()
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    port,
    endpoint: `http://127.0.0.1:${port}/files`,
    directory,
    async close() {
      tus.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(directory, { recursive: true, force: true })
    },
  }
}

async function createUpload(endpoint: string, headers: Record<string, string>): Promise<string> {
  const res = await simpleRequest(endpoint, 'POST', { ...TUS, ...headers }, undefined, 10_000)
  assert.equal(res.status, 201, res.body)
  return new URL(String(res.headers.location), endpoint).pathname.split('/').pop() ?? ''
}

async function offsetOf(s: Hostile, id: string): Promise<number> {
  const res = await simpleRequest(`${s.endpoint}/${id}`, 'HEAD', { ...TUS }, undefined, 10_000)
  assert.equal(res.status, 200)
  return Number(res.headers['upload-offset'])
}

/** A complete upload by a well-behaved client: POST, PATCH, then the bytes read back. */
async function normalUpload(s: Hostile): Promise<void> {
  const data = randomBytes(256 * 1024)
  const id = await createUpload(s.endpoint, { 'Upload-Length': String(data.length) })
  const res = await simpleRequest(
    `${s.endpoint}/${id}`,
    'PATCH',
    { ...TUS, 'Upload-Offset': 0, 'Content-Type': OCTET },
    data,
    10_000,
  )
  assert.equal(res.status, 204, res.body)
  const stored = await readFile(join(s.directory, id))
  assert.equal(sha256(stored), sha256(data))
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

/** Everything the server sends on `socket` until it closes it (bounded). */
function collect(socket: Socket, timeoutMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = ''
    const timer = setTimeout(() => resolve({ text, closed: false }), timeoutMs)
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
    socket.once('close', () => {
      clearTimeout(timer)
      resolve({ text, closed: true })
    })
  })
}

const IDLE = 600

test('a stalled body is cut by bodyIdleTimeout: 408, connection closed, bytes kept, others served', async (t) => {
  const s = await startHostile({ bodyIdleTimeout: IDLE })
  const socket = await openSocket(s.port)
  socket.on('error', () => undefined)
  try {
    const id = await createUpload(s.endpoint, { 'Upload-Length': '100' })
    const answer = collect(socket, 10_000)
    const started = Date.now()
    socket.write(Buffer.concat([patchHead(s.port, id, 0, 100), Buffer.from('abc')]))
    // While it stalls, another client uploads normally, start to end.
    await withTimeout(normalUpload(s), 5000, 'a normal upload during the stall')
    const { text, closed } = await answer
    const elapsed = Date.now() - started
    t.diagnostic(`stalled PATCH answered after ${elapsed} ms: ${text.split('\r\n')[0]}`)
    const res = parseResponse(Buffer.from(text, 'latin1'))
    assert.equal(res.status, 408, text)
    assert.ok(closed, 'the server closed the connection')
    assert.ok(elapsed >= IDLE - 50, `cut after ${elapsed} ms, before the idle timeout`)
    assert.equal(await offsetOf(s, id), 3, 'the bytes received are kept')
    assert.equal((await readFile(join(s.directory, id))).toString(), 'abc')
    // and the client resumes from there
    const rest = await simpleRequest(
      `${s.endpoint}/${id}`,
      'PATCH',
      { ...TUS, 'Upload-Offset': 3, 'Content-Type': OCTET },
      Buffer.alloc(97, 0x61),
    )
    assert.equal(rest.status, 204)
  } finally {
    socket.destroy()
    await s.close()
  }
})

test('a stalled checksummed body is cut too, and stores nothing', async () => {
  const s = await startHostile({ bodyIdleTimeout: IDLE })
  const socket = await openSocket(s.port)
  socket.on('error', () => undefined)
  try {
    const id = await createUpload(s.endpoint, { 'Upload-Length': '100' })
    const digest = createHash('sha1').update(Buffer.alloc(100, 0x62)).digest('base64')
    const answer = collect(socket, 10_000)
    socket.write(
      Buffer.concat([
        patchHead(s.port, id, 0, 100, [['Upload-Checksum', `sha1 ${digest}`]]),
        Buffer.alloc(10, 0x62),
      ]),
    )
    const { text, closed } = await answer
    assert.equal(parseResponse(Buffer.from(text, 'latin1')).status, 408, text)
    assert.match(text, /nothing was stored/)
    assert.ok(closed)
    assert.equal(await offsetOf(s, id), 0)
    await normalUpload(s)
  } finally {
    socket.destroy()
    await s.close()
  }
})

test('a body trickled one byte at a time is slow, not idle: it completes, others are served', async () => {
  const s = await startHostile({ bodyIdleTimeout: IDLE })
  const socket = await openSocket(s.port)
  socket.on('error', () => undefined)
  try {
    const N = 24
    const id = await createUpload(s.endpoint, { 'Upload-Length': String(N) })
    const answer = collect(socket, 15_000)
    socket.write(patchHead(s.port, id, 0, N, [['Connection', 'close']]))
    const others = withTimeout(
      Promise.all([normalUpload(s), normalUpload(s)]),
      10_000,
      'normal uploads while one trickles',
    )
    // one byte every 100 ms: 2.4 s in all, four times the idle timeout
    for (let i = 0; i < N; i++) {
      socket.write(Buffer.from([0x30 + (i % 10)]))
      await sleep(100)
    }
    await others
    const { text } = await answer
    assert.equal(parseResponse(Buffer.from(text, 'latin1')).status, 204, text)
    assert.equal(await offsetOf(s, id), N)
  } finally {
    socket.destroy()
    await s.close()
  }
})

test('bodyIdleTimeout: 0 turns it off; invalid values throw at creation', async () => {
  for (const bad of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () => createTusHandler(new FileStore({ directory: tmpdir() }), { bodyIdleTimeout: bad }),
      TypeError,
    )
  }
  const s = await startHostile({ bodyIdleTimeout: 0 })
  const socket = await openSocket(s.port)
  socket.on('error', () => undefined)
  try {
    const id = await createUpload(s.endpoint, { 'Upload-Length': '10' })
    const answer = collect(socket, 1500)
    socket.write(Buffer.concat([patchHead(s.port, id, 0, 10), Buffer.from('abc')]))
    const { text, closed } = await answer
    assert.equal(text, '', 'no answer while the body is incomplete')
    assert.equal(closed, false)
    socket.write('defghij')
    await withTimeout(
      (async () => {
        while ((await offsetOf(s, id)) !== 10) await sleep(20)
      })(),
      5000,
      'the rest to be stored',
    )
  } finally {
    socket.destroy()
    await s.close()
  }
})

test('headers trickled one byte at a time: cut by the server headersTimeout, others served', async (t) => {
  // Node's own protection: headersTimeout (checked every connectionsCheckingInterval).
  const s = await startHostile(
    {},
    { headersTimeout: 1000, requestTimeout: 0, connectionsCheckingInterval: 100 },
  )
  const socket = await openSocket(s.port)
  socket.on('error', () => undefined)
  try {
    const answer = collect(socket, 10_000)
    const head = `HEAD /files/x HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`
    const started = Date.now()
    const trickle = (async () => {
      for (const ch of head) {
        if (socket.destroyed) return
        socket.write(ch)
        await sleep(50)
      }
    })()
    await withTimeout(normalUpload(s), 5000, 'a normal upload while headers trickle')
    const { text, closed } = await answer
    const elapsed = Date.now() - started
    await trickle
    t.diagnostic(`trickled headers cut after ${elapsed} ms: ${text.split('\r\n')[0] || '(closed)'}`)
    assert.ok(closed, 'the connection was closed')
    assert.ok(text === '' || /^HTTP\/1\.1 408 /.test(text), text)
    assert.ok(elapsed < 8000, `headers trickled for ${elapsed} ms`)
  } finally {
    socket.destroy()
    await s.close()
  }
})

test('metadata past maxMetadataSize: 400; headers past the server maxHeaderSize: 431', async () => {
  const s = await startHostile({ maxMetadataSize: 256 }, { maxHeaderSize: 4096 })
  try {
    const ok = `filename ${Buffer.from('a'.repeat(150)).toString('base64')}`
    assert.ok(ok.length <= 256)
    const small = await simpleRequest(s.endpoint, 'POST', {
      ...TUS,
      'Upload-Length': 1,
      'Upload-Metadata': ok,
    })
    assert.equal(small.status, 201)
    const big = `filename ${Buffer.from('a'.repeat(200)).toString('base64')}`
    const res = await simpleRequest(s.endpoint, 'POST', {
      ...TUS,
      'Upload-Length': 1,
      'Upload-Metadata': big,
    })
    assert.equal(res.status, 400)
    assert.match(res.body, /too large/)
    const huge = await simpleRequest(s.endpoint, 'POST', {
      ...TUS,
      'Upload-Length': 1,
      'X-Padding': 'p'.repeat(5000),
    }).catch(() => ({ status: 0 }))
    assert.ok(huge.status === 431 || huge.status === 0, `got ${huge.status}`)
    await normalUpload(s)
  } finally {
    await s.close()
  }
})
