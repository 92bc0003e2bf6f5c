import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, withServer } from '../helpers/server.js'
import { assertTusError, create, dataOf, head, patch } from './tus-client.js'

async function state(
  url: string,
): Promise<{ offset: string | null; length: string | null; defer: string | null }> {
  const res = await head(url)
  assert.equal(res.status, 200)
  return {
    offset: res.headers.get('upload-offset'),
    length: res.headers.get('upload-length'),
    defer: res.headers.get('upload-defer-length'),
  }
}

test('deferred length: declared on PATCH, then fixed; repeating it is fine', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Defer-Length': '1' })
    assert.deepEqual(await state(url), { offset: '0', length: null, defer: '1' })

    const first = await patch(url, 0, 'hello', { 'Upload-Length': '11' })
    assert.equal(first.status, 204)
    assert.equal(first.headers.get('upload-offset'), '5')
    assert.deepEqual(await state(url), { offset: '5', length: '11', defer: null })

    // the same value again is harmless (tus-js-client may resend it)
    const second = await patch(url, 5, ' world', { 'Upload-Length': '11' })
    assert.equal(second.status, 204)
    assert.equal(second.headers.get('upload-offset'), '11')
    assert.deepEqual(await state(url), { offset: '11', length: '11', defer: null })
    assert.equal((await dataOf(s, id)).toString(), 'hello world')
  })
})

test('deferred length: PATCHes without Upload-Length keep it deferred', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Defer-Length': '1' })
    assert.equal((await patch(url, 0, 'abc')).status, 204)
    assert.equal((await patch(url, 3, 'def')).status, 204)
    assert.deepEqual(await state(url), { offset: '6', length: null, defer: '1' })
    // declaring the length equal to the offset, with an empty body, completes it
    const done = await patch(url, 6, '', { 'Upload-Length': '6' })
    assert.equal(done.status, 204)
    assert.deepEqual(await state(url), { offset: '6', length: '6', defer: null })
    assert.equal((await dataOf(s, id)).toString(), 'abcdef')
    await assertTusError(await patch(url, 6, 'g'), 413, 'PATCH')
  })
})

test('deferred length: a different value once set is 400', async () => {
  await withServer(async (s) => {
    const { url } = await create(s, { 'Upload-Defer-Length': '1' })
    assert.equal((await patch(url, 0, 'hello', { 'Upload-Length': '11' })).status, 204)
    for (const value of ['12', '10', '5']) {
      await assertTusError(await patch(url, 5, ' world', { 'Upload-Length': value }), 400, 'PATCH')
    }
    assert.deepEqual(await state(url), { offset: '5', length: '11', defer: null })
    // a length set at creation cannot be changed either
    const fixed = await create(s, { 'Upload-Length': '4' })
    await assertTusError(await patch(fixed.url, 0, 'ab', { 'Upload-Length': '8' }), 400, 'PATCH')
    assert.equal((await patch(fixed.url, 0, 'ab', { 'Upload-Length': '4' })).status, 204)
  })
})

test('deferred length: a value below the offset is 400, still deferred', async () => {
  await withServer(async (s) => {
    const { url } = await create(s, { 'Upload-Defer-Length': '1' })
    assert.equal((await patch(url, 0, 'hello')).status, 204)
    await assertTusError(await patch(url, 5, 'x', { 'Upload-Length': '3' }), 400, 'PATCH')
    assert.deepEqual(await state(url), { offset: '5', length: null, defer: '1' })
  })
})

test('deferred length: a PATCH at the wrong offset does not declare the length', async () => {
  // tus 1.0: on an offset mismatch the server MUST answer 409 "without modifying the upload
  // resource", so an Upload-Length riding on that PATCH must not be applied either.
  const s = await startServer()
  try {
    const { url, id } = await create(s, { 'Upload-Defer-Length': '1' })
    assert.equal((await patch(url, 0, 'hello')).status, 204)
    const res = await patch(url, 3, 'lo world', { 'Upload-Length': '11' })
    await assertTusError(res, 409, 'PATCH')
    assert.equal(res.headers.get('upload-offset'), '5')
    assert.deepEqual(await state(url), { offset: '5', length: null, defer: '1' })
    assert.equal((await dataOf(s, id)).toString(), 'hello')
    // the client can still declare any length it wants afterwards
    assert.equal((await patch(url, 5, '!', { 'Upload-Length': '6' })).status, 204)
    assert.deepEqual(await state(url), { offset: '6', length: '6', defer: null })
  } finally {
    await s.close()
  }
})

test('deferred length: a malformed Upload-Length on PATCH is 400', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Defer-Length': '1' })
    for (const value of ['-1', 'abc', '1.5', '1e3', '']) {
      await assertTusError(await patch(url, 0, 'hi', { 'Upload-Length': value }), 400, 'PATCH')
    }
    assert.deepEqual(await state(url), { offset: '0', length: null, defer: '1' })
    assert.equal((await dataOf(s, id)).length, 0)
  })
})

test('deferred length with maxSize: a declared length or body above it is 413', async () => {
  await withServer({ maxSize: 10 }, async (s) => {
    const { url, id } = await create(s, { 'Upload-Defer-Length': '1' })
    await assertTusError(await patch(url, 0, 'hi', { 'Upload-Length': '11' }), 413, 'PATCH')
    assert.deepEqual(await state(url), { offset: '0', length: null, defer: '1' })
    // without a declared length the body is still capped at maxSize
    await assertTusError(await patch(url, 0, '12345678901'), 413, 'PATCH')
    assert.equal((await dataOf(s, id)).length, 0)
    assert.equal((await patch(url, 0, '1234567890')).status, 204)
    await assertTusError(await patch(url, 10, 'x'), 413, 'PATCH')
    // declaring exactly maxSize completes it
    assert.equal((await patch(url, 10, '', { 'Upload-Length': '10' })).status, 204)
    assert.deepEqual(await state(url), { offset: '10', length: '10', defer: null })
  })
})
