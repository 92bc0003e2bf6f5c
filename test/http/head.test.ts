import { test } from 'node:test'
import assert from 'node:assert/strict'
import { withServer } from '../helpers/server.js'
import { rawRequest, requestHead, parseResponse } from '../helpers/raw-http.js'
import { assertTusError, create, head, patch, portOf, TUS } from './tus-client.js'

test('HEAD on a fresh upload: 200, Upload-Offset 0, Upload-Length, no-store', async () => {
  await withServer(async (s) => {
    const { url } = await create(s, { 'Upload-Length': '11' })
    const res = await head(url)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('upload-offset'), '0')
    assert.equal(res.headers.get('upload-length'), '11')
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.equal(res.headers.get('tus-resumable'), '1.0.0')
    assert.equal(res.headers.get('upload-defer-length'), null)
    assert.equal(res.headers.get('upload-metadata'), null)
    assert.equal(await res.text(), '')
  })
})

test('HEAD sends no body bytes on the wire', async () => {
  await withServer(async (s) => {
    const { id } = await create(s)
    const port = portOf(s)
    const res = await rawRequest(
      port,
      requestHead('HEAD', `/files/${id}`, [
        ['Host', `127.0.0.1:${port}`],
        ['Tus-Resumable', '1.0.0'],
        ['Connection', 'close'],
      ]),
      { head: true },
    )
    assert.equal(res.status, 200)
    const end = res.raw.indexOf('\r\n\r\n')
    assert.ok(end > 0)
    assert.equal(res.raw.length, end + 4, 'nothing after the header block')
    assert.equal(parseResponse(res.raw, true).headers['upload-offset']?.[0], '0')
  })
})

test('HEAD after data and after completion reports the offset', async () => {
  await withServer(async (s) => {
    const { url } = await create(s, { 'Upload-Length': '11' })
    assert.equal((await patch(url, 0, 'hello')).status, 204)
    let res = await head(url)
    assert.equal(res.headers.get('upload-offset'), '5')
    assert.equal(res.headers.get('upload-length'), '11')
    assert.equal((await patch(url, 5, ' world')).status, 204)
    res = await head(url)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('upload-offset'), '11')
    assert.equal(res.headers.get('upload-length'), '11')
  })
})

test('HEAD on a deferred upload: Upload-Defer-Length: 1 and no Upload-Length', async () => {
  await withServer(async (s) => {
    const { url } = await create(s, { 'Upload-Defer-Length': '1' })
    const res = await head(url)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('upload-offset'), '0')
    assert.equal(res.headers.get('upload-defer-length'), '1')
    assert.equal(res.headers.get('upload-length'), null)
    assert.equal(res.headers.get('cache-control'), 'no-store')
  })
})

test('HEAD on an unknown upload: 404 without Upload-Offset', async () => {
  await withServer(async (s) => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'doesnotexist', 'x']) {
      const res = await fetch(`${s.endpoint}/${id}`, { method: 'HEAD', headers: TUS })
      await assertTusError(res, 404, 'HEAD')
      assert.equal(res.headers.get('upload-offset'), null)
      assert.equal(res.headers.get('upload-length'), null)
    }
  })
})
