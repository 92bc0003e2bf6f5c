import { test } from 'node:test'
import assert from 'node:assert/strict'
import { withServer } from '../helpers/server.js'
import {
  OCTET,
  assertTusError,
  create,
  dataOf,
  offsetOf,
  patch,
  storeFiles,
  TUS,
} from './tus-client.js'

// Missing, and present but unsupported: every non-OPTIONS request must be refused with 412.
const BAD_VERSIONS: ReadonlyArray<Record<string, string>> = [
  {},
  { 'Tus-Resumable': '0.2.2' },
  { 'Tus-Resumable': '2.0.0' },
  { 'Tus-Resumable': '1.0' },
  { 'Tus-Resumable': '' },
]

async function assert412(res: Response, method: string): Promise<void> {
  await assertTusError(res, 412, method)
  assert.equal(res.headers.get('tus-version'), '1.0.0', 'Tus-Version on 412')
}

test('POST without a supported Tus-Resumable: 412 + Tus-Version, nothing created', async () => {
  await withServer(async (s) => {
    for (const version of BAD_VERSIONS) {
      const res = await fetch(s.endpoint, {
        method: 'POST',
        headers: { ...version, 'Upload-Length': '5' },
      })
      await assert412(res, 'POST')
      // creation-with-upload must not get through either
      const withBody = await fetch(s.endpoint, {
        method: 'POST',
        headers: { ...version, 'Upload-Length': '5', 'Content-Type': OCTET },
        body: 'hello',
      })
      await assert412(withBody, 'POST')
    }
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('PATCH without a supported Tus-Resumable: 412, offset and data unchanged', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s)
    assert.equal((await patch(url, 0, 'hel')).status, 204)
    for (const version of BAD_VERSIONS) {
      const res = await fetch(url, {
        method: 'PATCH',
        headers: { ...version, 'Content-Type': OCTET, 'Upload-Offset': '3' },
        body: 'lo',
      })
      await assert412(res, 'PATCH')
    }
    assert.equal(await offsetOf(url), 3)
    assert.equal((await dataOf(s, id)).toString(), 'hel')
  })
})

test('HEAD without a supported Tus-Resumable: 412 + Tus-Version, no upload state', async () => {
  await withServer(async (s) => {
    const { url } = await create(s)
    for (const version of BAD_VERSIONS) {
      const res = await fetch(url, { method: 'HEAD', headers: version })
      await assert412(res, 'HEAD')
      assert.equal(res.headers.get('upload-offset'), null)
    }
  })
})

test('DELETE without a supported Tus-Resumable: 412 + Tus-Version, upload kept', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s)
    for (const version of BAD_VERSIONS) {
      const res = await fetch(url, { method: 'DELETE', headers: version })
      await assert412(res, 'DELETE')
    }
    assert.equal(await offsetOf(url), 0)
    assert.deepEqual(await storeFiles(s), [`${id}.json`], 'no byte stored: only the info file')
  })
})

test('every response, success or error, carries Tus-Resumable: 1.0.0', async () => {
  await withServer(async (s) => {
    const { url } = await create(s)
    const responses = [
      await fetch(s.endpoint, { method: 'POST', headers: { ...TUS, 'Upload-Length': '1' } }),
      await fetch(url, { method: 'HEAD', headers: TUS }),
      await patch(url, 0, 'x'),
      await patch(url, 5, 'x'),
      await fetch(`${s.endpoint}/AAAAAAAAAAAAAAAAAAAAAA`, { method: 'HEAD', headers: TUS }),
      await fetch(s.endpoint, { method: 'GET', headers: TUS }),
      await fetch(url, { method: 'DELETE', headers: TUS }),
    ]
    for (const res of responses) {
      await res.arrayBuffer()
      assert.equal(res.headers.get('tus-resumable'), '1.0.0', `status ${res.status}`)
    }
  })
})
