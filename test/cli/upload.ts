// A minimal tus client over fetch, for tests that upload through a real server.
import assert from 'node:assert/strict'

const TUS = { 'Tus-Resumable': '1.0.0' }

export interface Uploaded {
  /** The Location the server answered to the POST. */
  location: string
  /** The upload id: the Location's last path segment. */
  id: string
}

/**
 * Creates an upload of `data` at `endpoint`, sends it in PATCHes of `chunk` bytes, then checks
 * with HEAD that the server reports it complete. Asserts every status on the way.
 */
export async function tusUpload(
  endpoint: string,
  data: Buffer,
  options: { chunk?: number; filename?: string } = {},
): Promise<Uploaded> {
  const filename = options.filename ?? 'hello.txt'
  const post = await fetch(endpoint, {
    method: 'POST',
    headers: {
      ...TUS,
      'Upload-Length': String(data.length),
      'Upload-Metadata': `filename ${Buffer.from(filename).toString('base64')},filetype dGV4dC9wbGFpbg==`,
    },
  })
  assert.equal(post.status, 201, await post.text())
  const location = post.headers.get('location')
  assert.ok(location, 'POST answered no Location')

  const chunk = options.chunk ?? data.length
  for (let offset = 0; offset < data.length; offset += chunk) {
    const patch = await fetch(location, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
      },
      body: data.subarray(offset, offset + chunk),
    })
    assert.equal(patch.status, 204, await patch.text())
    assert.equal(patch.headers.get('upload-offset'), String(Math.min(offset + chunk, data.length)))
  }

  const head = await fetch(location, { method: 'HEAD', headers: TUS })
  assert.equal(head.status, 200)
  assert.equal(head.headers.get('upload-offset'), String(data.length))
  assert.equal(head.headers.get('upload-length'), String(data.length))
  const id = new URL(location, endpoint).pathname.split('/').pop() ?? ''
  return { location, id }
}
