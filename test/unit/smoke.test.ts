import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServer } from '../helpers/server.js'

test('create, patch, head round trip', async () => {
  const s = await startServer()
  try {
    const post = await fetch(s.endpoint, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '11' },
    })
    assert.equal(post.status, 201)
    const location = post.headers.get('location')
    assert.ok(location)
    const patch = await fetch(location, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: 'hello world',
    })
    assert.equal(patch.status, 204)
    assert.equal(patch.headers.get('upload-offset'), '11')
    const head = await fetch(location, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
    assert.equal(head.status, 200)
    assert.equal(head.headers.get('upload-offset'), '11')
    assert.equal(head.headers.get('upload-length'), '11')
  } finally {
    await s.close()
  }
})
