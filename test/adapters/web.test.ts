/**
 * tuskit/web: `handleRequest(Request) -> Response`, driven directly with plain `Request`
 * objects, and in a real Hono app served by @hono/node-server (mounted at a path, inside a
 * sub-app under a prefix, and as a root middleware that falls through to the app's routes).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Hono } from 'hono'
import { createWebHandler, type WebHandler } from '../../src/adapters/web.js'
import { assertErrorBody, assertTusMounted, get, tempStore, TUS } from './harness.js'
import { failingStore } from './failing-store.js'
import { openSocket } from '../helpers/raw-http.js'
import { serveFetch } from '../helpers/serve-fetch.js'

const OCTET = 'application/offset+octet-stream'

function stream(...parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part)
      controller.close()
    },
  })
}

function request(url: string, init: RequestInit = {}): Request {
  return new Request(url, { duplex: 'half', ...init } as RequestInit)
}

test('web: a whole upload with plain Request objects', async () => {
  const temp = await tempStore()
  const tus = createWebHandler(temp.store, { path: '/files' })
  try {
    const options = await tus.handleRequest(
      request('http://example.test/files', { method: 'OPTIONS' }),
    )
    assert.equal(options.status, 204)
    assert.equal(options.headers.get('tus-version'), '1.0.0')
    assert.equal(options.headers.get('tus-resumable'), '1.0.0')
    assert.equal(options.headers.get('x-content-type-options'), 'nosniff')

    const data = Buffer.from('web streams all the way down\n'.repeat(300))
    const post = await tus.handleRequest(
      request('http://example.test/files/', {
        method: 'POST',
        headers: { ...TUS, 'Upload-Length': String(data.length), 'Content-Type': OCTET },
        body: stream(data.subarray(0, 100)),
      }),
    )
    assert.equal(post.status, 201, await post.text())
    assert.equal(post.headers.get('upload-offset'), '100')
    // No Host header on a hand-made Request: the URL's host makes the Location absolute.
    const location = post.headers.get('location') ?? ''
    const id = location.slice(location.lastIndexOf('/') + 1)
    assert.equal(location, `http://example.test/files/${id}`)

    const patch = await tus.handleRequest(
      request(location, {
        method: 'PATCH',
        headers: { ...TUS, 'Upload-Offset': '100', 'Content-Type': OCTET },
        body: stream(data.subarray(100, 5000), data.subarray(5000)),
      }),
    )
    assert.equal(patch.status, 204)
    assert.equal(patch.body, null)
    assert.equal(patch.headers.get('upload-offset'), String(data.length))
    assert.deepEqual(await readFile(join(temp.directory, id)), data)

    const head = await tus.handleRequest(request(location, { method: 'HEAD', headers: TUS }))
    assert.equal(head.status, 200)
    assert.equal(head.body, null)
    assert.equal(head.headers.get('upload-offset'), String(data.length))

    const download = await tus.handleRequest(request(location))
    assert.equal(download.status, 200)
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), data)

    // A protocol error: status, common headers, a one-line text body.
    const conflict = await tus.handleRequest(
      request(location, {
        method: 'PATCH',
        headers: { ...TUS, 'Upload-Offset': '1', 'Content-Type': OCTET },
        body: 'x',
      }),
    )
    assert.equal(conflict.status, 409)
    assert.equal(conflict.headers.get('tus-resumable'), '1.0.0')
    assert.match(conflict.headers.get('content-type') ?? '', /^text\/plain/)
    const text = await conflict.text()
    assert.match(text, /^[^\n]+\n$/)
    assert.equal(conflict.headers.get('content-length'), String(Buffer.byteLength(text)))

    const del = await tus.handleRequest(request(location, { method: 'DELETE', headers: TUS }))
    assert.equal(del.status, 204)
    const gone = await tus.handleRequest(request(location, { method: 'HEAD', headers: TUS }))
    assert.equal(gone.status, 404)
    assert.equal(gone.body, null)
  } finally {
    tus.close()
    await temp.remove()
  }
})

test('web: https URLs, 460 with its reason phrase, requests outside the path', async () => {
  const temp = await tempStore()
  const tus = createWebHandler(temp.store, { path: '/up' })
  try {
    const post = await tus.handleRequest(
      request('https://example.test/up', {
        method: 'POST',
        headers: { ...TUS, 'Upload-Length': '3' },
      }),
    )
    assert.equal(post.status, 201)
    const location = post.headers.get('location') ?? ''
    assert.match(location, /^https:\/\/example\.test\/up\/[A-Za-z0-9_-]+$/)

    const mismatch = await tus.handleRequest(
      request(location, {
        method: 'PATCH',
        headers: {
          ...TUS,
          'Upload-Offset': '0',
          'Content-Type': OCTET,
          'Upload-Checksum': `sha1 ${Buffer.alloc(20).toString('base64')}`,
        },
        body: 'abc',
      }),
    )
    assert.equal(mismatch.statusText, 'Checksum Mismatch')
    await assertErrorBody(mismatch, 'ERR_CHECKSUM_MISMATCH')

    const outside = await tus.handleRequest(request('https://example.test/other'))
    await assertErrorBody(outside, 'ERR_NOT_FOUND')
    const fallthrough = await tus.handleRequest(
      request('https://example.test/other'),
      () => new Response('the app', { status: 200 }),
    )
    assert.equal(await fallthrough.text(), 'the app')
  } finally {
    tus.close()
    await temp.remove()
  }
})

test('web: an aborted Request stops the PATCH and keeps the bytes that arrived', async () => {
  const temp = await tempStore()
  const tus = createWebHandler(temp.store)
  try {
    const post = await tus.handleRequest(
      request('http://example.test/files', {
        method: 'POST',
        headers: { ...TUS, 'Upload-Length': '100000' },
      }),
    )
    const location = post.headers.get('location') ?? ''
    const abort = new AbortController()
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1000).fill(1))
        // ...and then nothing more: the client is gone.
      },
    })
    const pending = tus.handleRequest(
      request(location, {
        method: 'PATCH',
        headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': OCTET },
        body,
        signal: abort.signal,
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, 100))
    abort.abort()
    const res = await Promise.race([
      pending,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('PATCH still running 5 s after the abort')), 5000),
      ),
    ])
    assert.ok(res.status >= 400, `status ${res.status}`)
    const head = await tus.handleRequest(request(location, { method: 'HEAD', headers: TUS }))
    assert.equal(head.headers.get('upload-offset'), '1000')
  } finally {
    tus.close()
    await temp.remove()
  }
})

test('web: a storage failure rejects handleRequest', async () => {
  const tus = createWebHandler(failingStore())
  await assert.rejects(
    tus.handleRequest(
      request('http://example.test/files/abcdefghijklmnopqrstuv', { method: 'HEAD', headers: TUS }),
    ),
    /disk on fire/,
  )
})

function honoApp(mount: (app: Hono, tus: WebHandler) => void, tus: WebHandler): Hono {
  const app = new Hono()
  app.get('/', (c) => c.text('home'))
  app.post('/echo', async (c) => c.json({ echo: ((await c.req.json()) as { x: unknown }).x }))
  mount(app, tus)
  app.get('/filesystem', (c) => c.text('after tuskit'))
  return app
}

const honoCases: Array<{
  name: string
  path: string
  mount(app: Hono, tus: WebHandler): void
  endpoint: string
  tusJs?: boolean
}> = [
  {
    name: "app.all('/files/*', c => handleRequest(c.req.raw))",
    path: '/files',
    mount: (app, tus) => app.all('/files/*', (c) => tus.handleRequest(c.req.raw)),
    endpoint: '/files/',
    tusJs: true,
  },
  {
    name: "a sub-app routed at /api (app.route('/api', api)), path /api/uploads",
    path: '/api/uploads',
    mount: (app, tus) => {
      const api = new Hono()
      api.all('/uploads/*', (c) => tus.handleRequest(c.req.raw))
      api.get('/status', (c) => c.text('api status'))
      app.route('/api', api)
    },
    endpoint: '/api/uploads',
  },
  {
    name: 'a root middleware that falls through to the app for other paths',
    path: '/files',
    mount: (app, tus) =>
      app.use((c, next) =>
        tus.handleRequest(c.req.raw, async () => {
          await next()
          return c.res
        }),
      ),
    endpoint: '/files',
    tusJs: true,
  },
]

for (const c of honoCases) {
  test(`Hono on @hono/node-server: ${c.name}`, async () => {
    const temp = await tempStore()
    const tus = createWebHandler(temp.store, { path: c.path })
    const server = await serveFetch(honoApp(c.mount, tus).fetch)
    try {
      assert.equal(await (await get(`${server.origin}/`)).text(), 'home')
      assert.equal(await (await get(`${server.origin}/filesystem`)).text(), 'after tuskit')
      const echo = await get(`${server.origin}/echo`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ x: 7 }),
      })
      assert.deepEqual(await echo.json(), { echo: 7 })
      if (c.path.startsWith('/api')) {
        assert.equal(await (await get(`${server.origin}/api/status`)).text(), 'api status')
      }
      await assertTusMounted(server.origin, c.endpoint, temp.directory, c.tusJs)
    } finally {
      tus.close()
      await server.close()
      await temp.remove()
    }
  })
}

test('Hono on @hono/node-server: after a client disconnects mid-PATCH, the upload resumes', async () => {
  const temp = await tempStore()
  const tus = createWebHandler(temp.store)
  const app = new Hono()
  app.all('/files/*', (c) => tus.handleRequest(c.req.raw))
  const server = await serveFetch(app.fetch)
  try {
    const post = await get(`${server.origin}/files`, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '100000' },
    })
    const location = post.headers.get('location') ?? ''
    const socket = await openSocket(Number(new URL(server.origin).port))
    socket.write(
      `PATCH ${new URL(location).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n` +
        `Upload-Offset: 0\r\nContent-Type: ${OCTET}\r\nContent-Length: 100000\r\n\r\n`,
    )
    socket.write(Buffer.alloc(4000, 2))
    await new Promise((resolve) => setTimeout(resolve, 200))
    socket.destroy()
    // The PATCH ends (the request's signal aborts its body), and the offset is what is stored.
    let offset = -1
    for (let i = 0, last = -2; i < 100 && offset !== last; i++) {
      last = offset
      await new Promise((resolve) => setTimeout(resolve, 50))
      const head = await get(location, { method: 'HEAD', headers: TUS })
      offset = Number(head.headers.get('upload-offset'))
    }
    assert.ok(offset >= 0 && offset <= 4000, `offset ${offset}`)
    const id = location.slice(location.lastIndexOf('/') + 1)
    assert.deepEqual(await readFile(join(temp.directory, id)), Buffer.alloc(offset, 2))
    const resume = await get(location, {
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': String(offset), 'Content-Type': OCTET },
      body: Buffer.alloc(100000 - offset, 3),
    })
    assert.equal(resume.status, 204)
    assert.equal(resume.headers.get('upload-offset'), '100000')
  } finally {
    tus.close()
    await server.close()
    await temp.remove()
  }
})
