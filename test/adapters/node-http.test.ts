/**
 * createTusHandler in a plain node:http server at a sub-path, next to other routes; and behind
 * a hand-made mount that strips its prefix and keeps `req.originalUrl`, as Express does.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createTusHandler } from '../../src/index.js'
import {
  assertErrorBody,
  assertRoute,
  fetchRoundTrip,
  get,
  listen,
  tempStore,
  tusJsUpload,
} from './harness.js'
import { failingStore } from './failing-store.js'

test('node:http: the endpoint at /api/v1/files, other routes beside it', async () => {
  const temp = await tempStore()
  const tus = createTusHandler(temp.store, { path: '/api/v1/files' })
  const server = await listen(
    createServer((req, res) =>
      tus(req, res, () => {
        res.statusCode = req.url === '/' || req.url === '/api/v1/filesystem' ? 200 : 404
        res.end(res.statusCode === 200 ? `app: ${req.url}` : 'not found')
      }),
    ),
  )
  try {
    await assertRoute(`${server.origin}/`, /app: \//)
    await assertRoute(`${server.origin}/api/v1/filesystem`, /app: \/api\/v1\/filesystem/)
    assert.equal((await get(`${server.origin}/api/v1/file`)).status, 404)
    const base = `${server.origin}/api/v1/files`
    await fetchRoundTrip(base, base, temp.directory)
    await tusJsUpload(`${base}/`, base, temp.directory)
  } finally {
    tus.close()
    await server.close()
    await temp.remove()
  }
})

test('node:http: a hand-made mount at /svc/uploads that strips it and sets req.originalUrl', async () => {
  const temp = await tempStore()
  const tus = createTusHandler(temp.store)
  const server = await listen(
    createServer((req, res) => {
      const url = req.url ?? '/'
      // Like Express's app.use('/svc/uploads', tus): the mount point is the endpoint.
      if (url === '/svc/uploads' || url.startsWith('/svc/uploads/')) {
        Object.assign(req, { originalUrl: url, url: url.slice('/svc/uploads'.length) || '/' })
        tus(req, res)
      } else {
        res.end('home')
      }
    }),
  )
  try {
    await assertRoute(`${server.origin}/`, /home/)
    const base = `${server.origin}/svc/uploads`
    await fetchRoundTrip(base, base, temp.directory)
    assert.equal(await (await get(`${server.origin}/svc/other`)).text(), 'home')
  } finally {
    tus.close()
    await server.close()
    await temp.remove()
  }
})

test('node:http without next: a storage failure is a 500 with a code and no detail', async () => {
  const tus = createTusHandler(failingStore())
  const server = await listen(createServer((req, res) => tus(req, res)))
  try {
    for (const method of ['POST', 'PATCH'] as const) {
      const url = `${server.origin}/files${method === 'POST' ? '' : '/abcdefghijklmnopqrstuv'}`
      const headers = {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': '3',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      }
      const res = await get(url, { method, headers, body: 'abc' })
      await assertErrorBody(res, 'ERR_INTERNAL_SERVER_ERROR', 'internal server error')
    }
    const head = await get(`${server.origin}/files/abcdefghijklmnopqrstuv`, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    })
    assert.equal(head.status, 500)
    assert.equal(await head.text(), '', 'no body for HEAD')
  } finally {
    tus.close()
    await server.close()
  }
})

test('node:http without next: requests outside the path get a 404 from tuskit', async () => {
  const temp = await tempStore()
  const tus = createTusHandler(temp.store, { path: '/up' })
  const server = await listen(createServer((req, res) => tus(req, res)))
  try {
    const res = await get(`${server.origin}/elsewhere`)
    assert.equal(res.headers.get('tus-resumable'), '1.0.0')
    await assertErrorBody(res, 'ERR_NOT_FOUND')
    await fetchRoundTrip(`${server.origin}/up/`, `${server.origin}/up`, temp.directory)
  } finally {
    tus.close()
    await server.close()
    await temp.remove()
  }
})
