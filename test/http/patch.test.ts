import { test } from 'node:test'
import assert from 'node:assert/strict'
import { withServer } from '../helpers/server.js'
import { header, rawRequest } from '../helpers/raw-http.js'
import {
  OCTET,
  assertRawTusError,
  assertTusError,
  chunkedPatch,
  create,
  dataOf,
  head,
  offsetOf,
  patch,
  patchHead,
  portOf,
  TUS,
} from './tus-client.js'

test('PATCH: 204 with the new Upload-Offset, bytes stored in order', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const first = await patch(url, 0, 'hello')
    assert.equal(first.status, 204)
    assert.equal(first.headers.get('upload-offset'), '5')
    assert.equal(first.headers.get('tus-resumable'), '1.0.0')
    assert.equal(await first.text(), '')
    assert.equal((await dataOf(s, id)).toString(), 'hello')
    const second = await patch(url, 5, Buffer.from(' world'))
    assert.equal(second.status, 204)
    assert.equal(second.headers.get('upload-offset'), '11')
    assert.equal((await dataOf(s, id)).toString(), 'hello world')
  })
})

test('PATCH: Content-Type parameters and case are tolerated', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '4' })
    const res = await patch(url, 0, 'ab', { 'Content-Type': 'Application/Offset+Octet-Stream' })
    assert.equal(res.status, 204)
    const res2 = await patch(url, 2, 'cd', { 'Content-Type': `${OCTET}; charset=binary` })
    assert.equal(res2.status, 204)
    assert.equal((await dataOf(s, id)).toString(), 'abcd')
  })
})

test('PATCH with a wrong or missing Content-Type: 415, offset and data unchanged', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    assert.equal((await patch(url, 0, 'hel')).status, 204)
    for (const type of ['application/octet-stream', 'text/plain', 'application/offset', '']) {
      await assertTusError(await patch(url, 3, 'lo', { 'Content-Type': type }), 415, 'PATCH')
    }
    // a Uint8Array body makes fetch send no Content-Type at all
    const missing = await fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': '3' },
      body: new Uint8Array([108, 111]),
    })
    await assertTusError(missing, 415, 'PATCH')
    assert.equal(await offsetOf(url), 3)
    assert.equal((await dataOf(s, id)).toString(), 'hel')
  })
})

test('PATCH at the wrong offset: 409 with the real Upload-Offset, data unchanged', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    assert.equal((await patch(url, 0, 'hello')).status, 204)
    for (const offset of [0, 3, 4, 6, 11, 100]) {
      const res = await patch(url, offset, 'XYZ')
      await assertTusError(res, 409, 'PATCH')
      assert.equal(res.headers.get('upload-offset'), '5')
    }
    assert.equal(await offsetOf(url), 5)
    assert.equal((await dataOf(s, id)).toString(), 'hello')
  })
})

test('PATCH with a missing or malformed Upload-Offset: 400, nothing written', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const missing = await fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, 'Content-Type': OCTET },
      body: 'hello',
    })
    await assertTusError(missing, 400, 'PATCH')
    for (const offset of ['-1', 'abc', '1.5', '1e3', '', '0x0', '+0', '0 0', '9'.repeat(20)]) {
      await assertTusError(await patch(url, offset, 'hello'), 400, 'PATCH')
    }
    assert.equal(await offsetOf(url), 0)
    assert.equal((await dataOf(s, id)).length, 0)
  })
})

test('PATCH to an unknown upload: 404', async () => {
  await withServer(async (s) => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'nope']) {
      await assertTusError(await patch(`${s.endpoint}/${id}`, 0, 'hello'), 404, 'PATCH')
    }
  })
})

test('PATCH with a chunked body and no Content-Length: 204, offset advanced', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const res = await chunkedPatch(s, id, 0, ['he', 'll', 'o ', 'wor'])
    assert.equal(res.status, 204, res.statusLine)
    assert.equal(header(res, 'upload-offset'), '9')
    assert.equal(await offsetOf(url), 9)
    assert.equal((await dataOf(s, id)).toString(), 'hello wor')
    // a streamed body through fetch (also chunked) finishes it
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(Buffer.from('l'))
        controller.enqueue(Buffer.from('d'))
        controller.close()
      },
    })
    const done = await fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, 'Content-Type': OCTET, 'Upload-Offset': '9' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    assert.equal(done.status, 204)
    assert.equal(done.headers.get('upload-offset'), '11')
    assert.equal((await dataOf(s, id)).toString(), 'hello world')
  })
})

test('PATCH with an empty body: 204, same offset', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    let res = await patch(url, 0, '')
    assert.equal(res.status, 204)
    assert.equal(res.headers.get('upload-offset'), '0')
    assert.equal((await patch(url, 0, 'abc')).status, 204)
    res = await patch(url, 3, '')
    assert.equal(res.status, 204)
    assert.equal(res.headers.get('upload-offset'), '3')
    // an empty chunked body too
    const chunkedRes = await chunkedPatch(s, id, 3, [])
    assert.equal(chunkedRes.status, 204)
    assert.equal(header(chunkedRes, 'upload-offset'), '3')
    assert.equal((await dataOf(s, id)).toString(), 'abc')
  })
})

test('PATCH with Content-Length above the remaining length: 413, nothing written', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    assert.equal((await patch(url, 0, '12345')).status, 204)
    await assertTusError(await patch(url, 5, '678901'), 413, 'PATCH')
    assert.equal(await offsetOf(url), 5)
    assert.equal((await dataOf(s, id)).toString(), '12345')
    // a large one closes the connection instead of reading the body
    await assertTusError(await patch(url, 5, Buffer.alloc(200_000, 1)), 413, 'PATCH')
    assert.equal(await offsetOf(url), 5)
    // the upload still completes normally afterwards
    const done = await patch(url, 5, '67890')
    assert.equal(done.status, 204)
    assert.equal(done.headers.get('upload-offset'), '10')
    assert.equal((await dataOf(s, id)).toString(), '1234567890')
  })
})

test('PATCH with a chunked body running past Upload-Length: 413, offset never above length', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    assert.equal((await patch(url, 0, '123')).status, 204)
    const res = await chunkedPatch(s, id, 3, ['4567', '89ab', 'cdef'])
    assertRawTusError(res, 413)
    const h = await head(url)
    const offset = Number(h.headers.get('upload-offset'))
    assert.equal(h.headers.get('upload-length'), '10')
    assert.ok(offset >= 3 && offset <= 10, `offset ${offset}`)
    const data = await dataOf(s, id)
    assert.equal(data.length, offset)
    assert.equal(data.toString(), '123456789abcdef'.slice(0, offset))
  })
})

test('PATCH to a complete upload: empty body 204, any byte more 413', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '5' })
    assert.equal((await patch(url, 0, 'hello')).status, 204)
    const empty = await patch(url, 5, '')
    assert.equal(empty.status, 204)
    assert.equal(empty.headers.get('upload-offset'), '5')
    await assertTusError(await patch(url, 5, '!'), 413, 'PATCH')
    assertRawTusError(await chunkedPatch(s, id, 5, ['!']), 413)
    assert.equal(await offsetOf(url), 5)
    assert.equal((await dataOf(s, id)).toString(), 'hello')
  })
})

test('PATCH with a malformed Content-Length is refused by HTTP or with 400', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '5' })
    const port = portOf(s)
    for (const length of ['-1', 'abc', '1.5']) {
      const res = await rawRequest(port, [
        patchHead(port, id, 0, length, [['Connection', 'close']]),
        Buffer.from('hello'),
      ])
      assert.equal(res.status, 400, res.statusLine)
    }
    assert.equal(await offsetOf(url), 0)
  })
})
