import { test } from 'node:test'
import assert from 'node:assert/strict'
import { withServer } from '../helpers/server.js'
import { OCTET, assertTusError, create, dataOf, offsetOf, storeFiles, TUS } from './tus-client.js'

// X-HTTP-Method-Override is honoured on POST only (documented in src/protocol/headers.ts):
// a GET can never be turned into a state change.

test('POST + X-HTTP-Method-Override: PATCH acts as PATCH', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        ...TUS,
        'X-HTTP-Method-Override': 'PATCH',
        'Content-Type': OCTET,
        'Upload-Offset': '0',
      },
      body: 'hello',
    })
    assert.equal(res.status, 204)
    assert.equal(res.headers.get('upload-offset'), '5')
    assert.equal((await dataOf(s, id)).toString(), 'hello')
    // lower case works too, and PATCH rules apply (409 on a wrong offset)
    const lower = await fetch(url, {
      method: 'POST',
      headers: {
        ...TUS,
        'X-HTTP-Method-Override': 'patch',
        'Content-Type': OCTET,
        'Upload-Offset': '0',
      },
      body: 'again',
    })
    await assertTusError(lower, 409, 'POST')
    assert.equal(lower.headers.get('upload-offset'), '5')
    assert.equal(await offsetOf(url), 5)
  })
})

test('POST + X-HTTP-Method-Override: DELETE acts as DELETE', async () => {
  await withServer(async (s) => {
    const { url } = await create(s)
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...TUS, 'X-HTTP-Method-Override': 'DELETE' },
    })
    assert.equal(res.status, 204)
    await assertTusError(await fetch(url, { method: 'HEAD', headers: TUS }), 404, 'HEAD')
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('POST + X-HTTP-Method-Override: HEAD acts as HEAD', async () => {
  await withServer(async (s) => {
    const { url } = await create(s, { 'Upload-Length': '11', 'Upload-Metadata': 'a YQ==' })
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...TUS, 'X-HTTP-Method-Override': 'HEAD' },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('upload-offset'), '0')
    assert.equal(res.headers.get('upload-length'), '11')
    assert.equal(res.headers.get('upload-metadata'), 'a YQ==')
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.equal(await res.text(), '')
  })
})

test('the override still needs Tus-Resumable', async () => {
  await withServer(async (s) => {
    const { url } = await create(s)
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'X-HTTP-Method-Override': 'DELETE' },
    })
    await assertTusError(res, 412, 'POST')
    assert.equal(await offsetOf(url), 0)
  })
})

test('X-HTTP-Method-Override on GET is ignored', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s)
    for (const override of ['DELETE', 'PATCH', 'POST']) {
      const res = await fetch(url, {
        method: 'GET',
        headers: { ...TUS, 'X-HTTP-Method-Override': override },
      })
      await res.arrayBuffer()
      assert.notEqual(res.status, 204, `GET + ${override} must not act as ${override}`)
      assert.ok(res.status !== 201)
    }
    // the upload is untouched and no other was created
    assert.equal(await offsetOf(url), 0)
    assert.deepEqual(await storeFiles(s), [`${id}.json`], 'no byte stored: only the info file')
    // GET on the collection with an override to POST creates nothing
    const res = await fetch(s.endpoint, {
      method: 'GET',
      headers: { ...TUS, 'X-HTTP-Method-Override': 'POST', 'Upload-Length': '1' },
    })
    await assertTusError(res, 405, 'GET')
    assert.deepEqual(await storeFiles(s), [`${id}.json`])
  })
})

test('X-HTTP-Method-Override on PATCH is ignored: the request stays a PATCH', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '3' })
    const res = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'X-HTTP-Method-Override': 'DELETE',
        'Content-Type': OCTET,
        'Upload-Offset': '0',
      },
      body: 'abc',
    })
    assert.equal(res.status, 204)
    assert.equal(res.headers.get('upload-offset'), '3')
    assert.equal((await dataOf(s, id)).toString(), 'abc')
  })
})

test('an unknown override method: 400, nothing changed', async () => {
  await withServer(async (s) => {
    const { url } = await create(s)
    for (const override of ['FOO', 'TRACE', 'CONNECT', '']) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...TUS, 'X-HTTP-Method-Override': override },
      })
      await assertTusError(res, 400, 'POST')
    }
    assert.equal(await offsetOf(url), 0)
  })
})
