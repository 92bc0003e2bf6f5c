import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, withServer } from '../helpers/server.js'
import { rawRequest, requestHead, header } from '../helpers/raw-http.js'
import {
  assertRawTusError,
  assertTusError,
  create,
  head,
  idOf,
  offsetOf,
  portOf,
  storeFiles,
  TUS,
} from './tus-client.js'

function post(url: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...TUS, ...headers } })
}

test('POST with Upload-Length: 201 and an absolute Location with a long URL-safe id', async () => {
  await withServer(async (s) => {
    const res = await post(s.endpoint, { 'Upload-Length': '100' })
    assert.equal(res.status, 201)
    assert.equal(res.headers.get('tus-resumable'), '1.0.0')
    const location = res.headers.get('location') ?? ''
    const m = new RegExp(`^http://127\\.0\\.0\\.1:${portOf(s)}/files/([A-Za-z0-9_-]{22,})$`).exec(
      location,
    )
    assert.ok(m, `absolute Location: ${location}`)
    const id = m[1] ?? ''
    // the data file appears with the first byte: a creation writes only the info file
    assert.deepEqual(await storeFiles(s), [`${id}.json`])
    const h = await head(location)
    assert.equal(h.status, 200)
    assert.equal(h.headers.get('upload-offset'), '0')
    assert.equal(h.headers.get('upload-length'), '100')
  })
})

test('POST gives every upload its own id', async () => {
  await withServer(async (s) => {
    const ids = new Set<string>()
    for (let i = 0; i < 8; i++) ids.add((await create(s)).id)
    assert.equal(ids.size, 8)
  })
})

test('relativeLocation answers /files/<id>; a custom path is used in Location', async () => {
  const rel = await startServer({ relativeLocation: true })
  try {
    const res = await post(rel.endpoint, { 'Upload-Length': '1' })
    assert.equal(res.status, 201)
    assert.match(res.headers.get('location') ?? '', /^\/files\/[A-Za-z0-9_-]{22,}$/)
  } finally {
    await rel.close()
  }
  const custom = await startServer({ path: '/api/uploads' })
  try {
    const res = await post(custom.endpoint, { 'Upload-Length': '1' })
    assert.equal(res.status, 201)
    const location = res.headers.get('location') ?? ''
    assert.ok(location.startsWith(`${custom.origin}/api/uploads/`), location)
    assert.equal(await offsetOf(location), 0)
  } finally {
    await custom.close()
  }
})

test('POST to /files/ (trailing slash) also creates', async () => {
  await withServer(async (s) => {
    const res = await post(`${s.endpoint}/`, { 'Upload-Length': '1' })
    assert.equal(res.status, 201)
    idOf(res.headers.get('location') ?? '')
  })
})

test('POST with Upload-Defer-Length: 1 creates a deferred upload', async () => {
  await withServer(async (s) => {
    const res = await post(s.endpoint, { 'Upload-Defer-Length': '1' })
    assert.equal(res.status, 201)
    const h = await head(res.headers.get('location') ?? '')
    assert.equal(h.headers.get('upload-defer-length'), '1')
    assert.equal(h.headers.get('upload-length'), null)
  })
})

test('POST length headers: both, neither or a bad Defer-Length is 400, nothing created', async () => {
  await withServer(async (s) => {
    const cases: Array<Record<string, string>> = [
      {},
      { 'Upload-Length': '5', 'Upload-Defer-Length': '1' },
      { 'Upload-Length': '0', 'Upload-Defer-Length': '1' },
      { 'Upload-Defer-Length': '2' },
      { 'Upload-Defer-Length': '0' },
      { 'Upload-Defer-Length': 'true' },
      { 'Upload-Defer-Length': '' },
      { 'Upload-Defer-Length': '01' },
    ]
    for (const headers of cases) {
      const text = await assertTusError(await post(s.endpoint, headers), 400, 'POST')
      assert.match(text, /Upload-(Defer-)?Length/, JSON.stringify(headers))
    }
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('POST with a malformed Upload-Length: 400, nothing created', async () => {
  await withServer(async (s) => {
    const bad = ['-1', 'abc', '1e3', '1.5', '', '1 5', '+5', '0x10', '5a', 'NaN']
    for (const value of bad) {
      const res = await post(s.endpoint, { 'Upload-Length': value })
      const text = await assertTusError(res, 400, 'POST')
      assert.equal(text, 'ERR_INVALID_UPLOAD_LENGTH: Upload-Length must be a non-negative integer')
    }
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('POST with an Upload-Length past 2^53 - 1: 413 too large, not "malformed", nothing created', async () => {
  await withServer(async (s) => {
    for (const value of ['9007199254740992', '9007199254740993', '9'.repeat(20), '9'.repeat(500)]) {
      const text = await assertTusError(await post(s.endpoint, { 'Upload-Length': value }), 413)
      assert.equal(
        text,
        'ERR_UPLOAD_LENGTH_TOO_LARGE: Upload-Length is too large (more than 9007199254740991)',
        value.slice(0, 20),
      )
    }
    // The largest safe integer is a length like any other (here, above maxSize-less limits).
    const ok = await post(s.endpoint, { 'Upload-Length': '9007199254740991' })
    assert.equal(ok.status, 201, await ok.text())
  })
})

test('Upload-Length " 5": the whitespace is HTTP OWS, stripped before the server sees it', async () => {
  // RFC 9110 5.5: leading/trailing whitespace is not part of a field value, so on the wire
  // `Upload-Length:  5` *is* `Upload-Length: 5`. Only inner whitespace is malformed.
  const s = await startServer()
  try {
    const port = portOf(s)
    const send = (value: string) =>
      rawRequest(
        port,
        requestHead('POST', '/files', [
          ['Host', `127.0.0.1:${port}`],
          ['Tus-Resumable', '1.0.0'],
          ['Upload-Length', value],
          ['Content-Length', '0'],
          ['Connection', 'close'],
        ]),
      )
    for (const value of [' 5', '5 ', '\t5']) {
      const res = await send(value)
      assert.equal(res.status, 201, res.statusLine)
      const h = await head(new URL(header(res, 'location') ?? '', s.origin).href)
      assert.equal(h.headers.get('upload-length'), '5')
    }
    assertRawTusError(await send('5 5'), 400)
    assertRawTusError(await send('5\t5'), 400)
  } finally {
    await s.close()
  }
})

test('POST above maxSize: 413, nothing created; maxSize itself is accepted', async () => {
  await withServer({ maxSize: 100 }, async (s) => {
    await assertTusError(await post(s.endpoint, { 'Upload-Length': '101' }), 413, 'POST')
    await assertTusError(await post(s.endpoint, { 'Upload-Length': '9'.repeat(15) }), 413, 'POST')
    assert.deepEqual(await storeFiles(s), [])
    assert.equal((await post(s.endpoint, { 'Upload-Length': '100' })).status, 201)
  })
})

test('POST with Upload-Length: 0 creates an upload that is already complete', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '0' })
    const h = await head(url)
    assert.equal(h.status, 200)
    assert.equal(h.headers.get('upload-offset'), '0')
    assert.equal(h.headers.get('upload-length'), '0')
    assert.deepEqual(await storeFiles(s), [`${id}.json`])
    // complete: an empty PATCH at offset 0 is accepted, a byte more is not
    const empty = await fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
      body: '',
    })
    assert.equal(empty.status, 204)
    assert.equal(empty.headers.get('upload-offset'), '0')
  })
})

test('Upload-Metadata round trip: HEAD echoes what the client sent', async () => {
  await withServer(async (s) => {
    const metadata = 'filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential'
    const { url } = await create(s, { 'Upload-Length': '5', 'Upload-Metadata': metadata })
    const h = await head(url)
    assert.equal(h.headers.get('upload-metadata'), metadata)
  })
})

test('Upload-Metadata: valueless keys, a trailing space and several pairs are accepted', async () => {
  await withServer(async (s) => {
    const cases: Array<[string, string]> = [
      ['is_confidential', 'is_confidential'],
      ['a,b', 'a,b'],
      ['a YQ==,b Yg==', 'a YQ==,b Yg=='],
      ['a ,b Yg==', 'a,b Yg=='],
      ['filetype aW1hZ2UvcG5n,name 8J+Ygg==', 'filetype aW1hZ2UvcG5n,name 8J+Ygg=='],
    ]
    for (const [sent, echoed] of cases) {
      const { url } = await create(s, { 'Upload-Length': '1', 'Upload-Metadata': sent })
      assert.equal((await head(url)).headers.get('upload-metadata'), echoed, sent)
    }
  })
})

test('an empty Upload-Metadata header means no metadata', async () => {
  await withServer(async (s) => {
    const { url } = await create(s, { 'Upload-Length': '1', 'Upload-Metadata': '' })
    const h = await head(url)
    assert.equal(h.status, 200)
    assert.equal(h.headers.get('upload-metadata'), null)
  })
})

test('malformed Upload-Metadata: 400, nothing created', async () => {
  await withServer(async (s) => {
    const bad = [
      'a YQ==,a Yg==', // duplicate key
      'key !!!notbase64',
      'key YQ', // Base64 without padding
      'key  YQ==', // two spaces
      'key a b',
      ',',
      'a YQ==,',
    ]
    for (const value of bad) {
      const res = await post(s.endpoint, { 'Upload-Length': '1', 'Upload-Metadata': value })
      const text = await assertTusError(res, 400, 'POST')
      assert.match(text, /Upload-Metadata/, value)
    }
    // a non-ASCII key, sent as raw UTF-8 bytes
    const port = portOf(s)
    const res = await rawRequest(
      port,
      requestHead('POST', '/files', [
        ['Host', `127.0.0.1:${port}`],
        ['Tus-Resumable', '1.0.0'],
        ['Upload-Length', '1'],
        ['Upload-Metadata', Buffer.from('clé YQ==', 'utf8').toString('latin1')],
        ['Content-Length', '0'],
        ['Connection', 'close'],
      ]),
    )
    assertRawTusError(res, 400)
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('Upload-Metadata longer than maxMetadataSize: 400, nothing created', async () => {
  await withServer({ maxMetadataSize: 64 }, async (s) => {
    const value = Buffer.from('x'.repeat(60)).toString('base64')
    const text = await assertTusError(
      await post(s.endpoint, { 'Upload-Length': '1', 'Upload-Metadata': `name ${value}` }),
      400,
      'POST',
    )
    assert.match(text, /Upload-Metadata/)
    assert.deepEqual(await storeFiles(s), [])
    // just under the limit is fine
    const fits = `name ${Buffer.from('x'.repeat(40)).toString('base64')}`
    assert.ok(fits.length <= 64)
    assert.equal(
      (await post(s.endpoint, { 'Upload-Length': '1', 'Upload-Metadata': fits })).status,
      201,
    )
  })
})

test('the default maxMetadataSize (4096) is enforced', async () => {
  await withServer(async (s) => {
    const value = `name ${Buffer.from('x'.repeat(4000)).toString('base64')}`
    await assertTusError(
      await post(s.endpoint, { 'Upload-Length': '1', 'Upload-Metadata': value }),
      400,
      'POST',
    )
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('POST body is ignored unless it is application/offset+octet-stream', async () => {
  await withServer(async (s) => {
    const res = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '5', 'Content-Type': 'text/plain' },
      body: 'hello',
    })
    assert.equal(res.status, 201)
    assert.equal(res.headers.get('upload-offset'), null)
    assert.equal(await offsetOf(res.headers.get('location') ?? ''), 0)
  })
})

test('POST on an upload URL: 405 with Allow', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s)
    const res = await post(url, { 'Upload-Length': '5' })
    await assertTusError(res, 405, 'POST')
    assert.equal(res.headers.get('allow'), 'OPTIONS, HEAD, PATCH, DELETE, GET')
    assert.equal(await offsetOf(url), 0)
    // only the upload's info file: nothing created, no byte stored
    assert.deepEqual(await storeFiles(s), [`${id}.json`])
  })
})

test('GET and PUT on /files: 405 with Allow', async () => {
  await withServer(async (s) => {
    for (const method of ['GET', 'PUT']) {
      const res = await fetch(s.endpoint, { method, headers: TUS })
      await assertTusError(res, 405, method)
      assert.equal(res.headers.get('allow'), 'OPTIONS, POST')
    }
    assert.deepEqual(await storeFiles(s), [])
  })
})
