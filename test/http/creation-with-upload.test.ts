import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, withServer } from '../helpers/server.js'
import { chunked, header, rawRequest, requestHead } from '../helpers/raw-http.js'
import {
  OCTET,
  assertTusError,
  dataOf,
  head,
  idOf,
  offsetOf,
  patch,
  portOf,
  storeFiles,
  TUS,
} from './tus-client.js'

function postWithBody(
  endpoint: string,
  headers: Record<string, string>,
  body: string | Uint8Array,
): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: { ...TUS, 'Content-Type': OCTET, ...headers },
    body,
  })
}

test('creation-with-upload: 201 with Location and Upload-Offset, bytes stored', async () => {
  await withServer(async (s) => {
    const res = await postWithBody(s.endpoint, { 'Upload-Length': '11' }, 'hello')
    assert.equal(res.status, 201)
    assert.equal(res.headers.get('upload-offset'), '5')
    const location = res.headers.get('location') ?? ''
    const id = idOf(location)
    assert.ok(location.startsWith(`${s.origin}/files/`))
    assert.equal((await dataOf(s, id)).toString(), 'hello')
    assert.equal(await offsetOf(location), 5)
    // the rest by PATCH
    const rest = await patch(location, 5, ' world')
    assert.equal(rest.status, 204)
    assert.equal(rest.headers.get('upload-offset'), '11')
    assert.equal((await dataOf(s, id)).toString(), 'hello world')
  })
})

test('creation-with-upload: the full body completes the upload at creation', async () => {
  await withServer(async (s) => {
    const res = await postWithBody(s.endpoint, { 'Upload-Length': '11' }, 'hello world')
    assert.equal(res.status, 201)
    assert.equal(res.headers.get('upload-offset'), '11')
    const location = res.headers.get('location') ?? ''
    const h = await head(location)
    assert.equal(h.headers.get('upload-offset'), '11')
    assert.equal(h.headers.get('upload-length'), '11')
    assert.equal((await dataOf(s, idOf(location))).toString(), 'hello world')
  })
})

test('0-byte uploads are complete at creation, with or without an empty body', async () => {
  await withServer(async (s) => {
    const withBody = await postWithBody(s.endpoint, { 'Upload-Length': '0' }, '')
    assert.equal(withBody.status, 201)
    assert.equal(withBody.headers.get('upload-offset'), '0')
    const without = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '0' },
    })
    assert.equal(without.status, 201)
    for (const res of [withBody, without]) {
      const h = await head(res.headers.get('location') ?? '')
      assert.equal(h.headers.get('upload-offset'), '0')
      assert.equal(h.headers.get('upload-length'), '0')
    }
  })
})

test('creation-with-upload with a deferred length', async () => {
  await withServer(async (s) => {
    const res = await postWithBody(s.endpoint, { 'Upload-Defer-Length': '1' }, 'abc')
    assert.equal(res.status, 201)
    assert.equal(res.headers.get('upload-offset'), '3')
    const h = await head(res.headers.get('location') ?? '')
    assert.equal(h.headers.get('upload-offset'), '3')
    assert.equal(h.headers.get('upload-defer-length'), '1')
  })
})

test('creation-with-upload with a chunked body', async () => {
  await withServer(async (s) => {
    const port = portOf(s)
    const res = await rawRequest(port, [
      requestHead('POST', '/files', [
        ['Host', `127.0.0.1:${port}`],
        ['Tus-Resumable', '1.0.0'],
        ['Upload-Length', '11'],
        ['Content-Type', OCTET],
        ['Transfer-Encoding', 'chunked'],
        ['Connection', 'close'],
      ]),
      chunked(['hello', ' ', 'wor']),
    ])
    assert.equal(res.status, 201, res.statusLine)
    assert.equal(header(res, 'upload-offset'), '9')
    const id = idOf(header(res, 'location') ?? '')
    assert.equal((await dataOf(s, id)).toString(), 'hello wor')
  })
})

test('creation-with-upload with a body above Upload-Length: 413, upload created empty', async () => {
  // Documented choice (CU-06): the upload exists and the 413 names it in Location,
  // so the client can resume with a correct body.
  const s = await startServer()
  try {
    const res = await postWithBody(s.endpoint, { 'Upload-Length': '3' }, 'hello')
    await assertTusError(res, 413, 'POST')
    const location = res.headers.get('location') ?? ''
    const id = idOf(location)
    assert.equal(await offsetOf(location), 0)
    assert.equal((await dataOf(s, id)).length, 0)
    assert.equal((await patch(location, 0, 'abc')).status, 204)
  } finally {
    await s.close()
  }
})

test('creation-with-upload above maxSize: 413 and nothing created', async () => {
  await withServer({ maxSize: 4 }, async (s) => {
    await assertTusError(
      await postWithBody(s.endpoint, { 'Upload-Length': '5' }, 'hello'),
      413,
      'POST',
    )
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('creation-with-upload with malformed headers: 4xx, nothing created', async () => {
  await withServer(async (s) => {
    await assertTusError(
      await postWithBody(s.endpoint, { 'Upload-Length': 'x' }, 'hi'),
      400,
      'POST',
    )
    await assertTusError(
      await postWithBody(s.endpoint, { 'Upload-Length': '2', 'Upload-Metadata': 'a !' }, 'hi'),
      400,
      'POST',
    )
    assert.deepEqual(await storeFiles(s), [])
  })
})
