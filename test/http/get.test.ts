import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTusHandler, FileStore, type UploadStore } from '../../src/index.js'
import { startServer, withServer } from '../helpers/server.js'
import { openSocket, rawRequest, requestHead } from '../helpers/raw-http.js'
import {
  assertTusError,
  create,
  head,
  metadata,
  patch,
  patchHead,
  portOf,
  TUS,
} from './tus-client.js'

const CONTENT = 'hello world'

/** Creates an upload of `CONTENT` with `meta` and uploads all of it. */
async function uploaded(
  s: Awaited<ReturnType<typeof startServer>>,
  meta: Record<string, string> = { filename: 'hello.txt' },
): Promise<string> {
  const { url } = await create(s, {
    'Upload-Length': String(CONTENT.length),
    'Upload-Metadata': metadata(meta),
  })
  const res = await patch(url, 0, CONTENT)
  assert.equal(res.status, 204)
  return url
}

test('GET without Tus-Resumable: 200, the bytes, Content-Length, Accept-Ranges, CSP', async () => {
  await withServer(async (s) => {
    const url = await uploaded(s)
    const res = await fetch(url)
    assert.equal(res.status, 200)
    assert.equal(await res.text(), CONTENT)
    assert.equal(res.headers.get('content-length'), String(CONTENT.length))
    assert.equal(res.headers.get('accept-ranges'), 'bytes')
    assert.equal(res.headers.get('content-type'), 'text/plain')
    assert.equal(res.headers.get('content-disposition'), 'inline; filename="hello.txt"')
    assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; sandbox")
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(res.headers.get('tus-resumable'), '1.0.0')
    assert.equal(res.headers.get('cache-control'), null, 'a finished upload may be cached')
  })
})

test('GET with Tus-Resumable works too, and a wrong one is not checked', async () => {
  await withServer(async (s) => {
    const url = await uploaded(s)
    for (const headers of [TUS, { 'Tus-Resumable': '0.0.1' }]) {
      const res = await fetch(url, { headers })
      assert.equal(res.status, 200)
      assert.equal(await res.text(), CONTENT)
    }
  })
})

test('Range requests: 206 with Content-Range for a-b, a- and -n', async () => {
  await withServer(async (s) => {
    const url = await uploaded(s)
    const cases: Array<[string, string, string]> = [
      ['bytes=0-4', 'hello', 'bytes 0-4/11'],
      ['bytes=6-', 'world', 'bytes 6-10/11'],
      ['bytes=-5', 'world', 'bytes 6-10/11'],
      ['bytes=-100', CONTENT, 'bytes 0-10/11'],
      ['bytes=4-4', 'o', 'bytes 4-4/11'],
      ['bytes=6-1000', 'world', 'bytes 6-10/11'],
    ]
    for (const [range, body, contentRange] of cases) {
      const res = await fetch(url, { headers: { Range: range } })
      assert.equal(res.status, 206, range)
      assert.equal(await res.text(), body, range)
      assert.equal(res.headers.get('content-range'), contentRange, range)
      assert.equal(res.headers.get('content-length'), String(body.length), range)
      assert.equal(res.headers.get('accept-ranges'), 'bytes')
    }
  })
})

test('unsatisfiable Range: 416 with Content-Range: bytes */<length>', async () => {
  await withServer(async (s) => {
    const url = await uploaded(s)
    for (const range of ['bytes=11-', 'bytes=20-30', 'bytes=-0']) {
      const res = await fetch(url, { headers: { Range: range } })
      await assertTusError(res, 416)
      assert.equal(res.headers.get('content-range'), 'bytes */11', range)
    }
  })
})

test('several ranges, malformed ranges and If-Range get the whole content (200)', async () => {
  await withServer(async (s) => {
    const url = await uploaded(s)
    const cases: Array<Record<string, string>> = [
      { Range: 'bytes=0-1,4-5' },
      { Range: 'bytes=5-2' },
      { Range: 'items=0-1' },
      { Range: 'bytes=0-4', 'If-Range': '"some-etag"' },
    ]
    for (const headers of cases) {
      const res = await fetch(url, { headers })
      assert.equal(res.status, 200, JSON.stringify(headers))
      assert.equal(await res.text(), CONTENT)
      assert.equal(res.headers.get('content-range'), null)
    }
  })
})

test('an unfinished upload returns the bytes stored so far', async () => {
  await withServer(async (s) => {
    const { url } = await create(s, { 'Upload-Length': '100' })
    assert.equal((await patch(url, 0, 'partial')).status, 204)
    const res = await fetch(url)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-length'), '7')
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.equal(await res.text(), 'partial')
    const ranged = await fetch(url, { headers: { Range: 'bytes=-3' } })
    assert.equal(ranged.status, 206)
    assert.equal(ranged.headers.get('content-range'), 'bytes 4-6/7')
    assert.equal(await ranged.text(), 'ial')
    const past = await fetch(url, { headers: { Range: 'bytes=7-' } })
    await assertTusError(past, 416)
    assert.equal(past.headers.get('content-range'), 'bytes */7')
  })
})

test('an empty upload: 200 with Content-Length 0; any Range is 416', async () => {
  await withServer(async (s) => {
    for (const headers of [{ 'Upload-Length': '0' }, { 'Upload-Length': '5' }]) {
      const { url } = await create(s, headers)
      const res = await fetch(url)
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-length'), '0')
      assert.equal(await res.text(), '')
      const ranged = await fetch(url, { headers: { Range: 'bytes=0-' } })
      await assertTusError(ranged, 416)
      assert.equal(ranged.headers.get('content-range'), 'bytes */0')
    }
  })
})

test('HEAD is still the tus HEAD, not a download', async () => {
  await withServer(async (s) => {
    const url = await uploaded(s)
    const res = await head(url)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('upload-offset'), '11')
    assert.equal(res.headers.get('accept-ranges'), null)
    assert.equal(res.headers.get('content-disposition'), null)
    const bare = await head(url, {})
    await assertTusError(bare, 412, 'HEAD')
  })
})

test('GET of an unknown or invalid id: 404', async () => {
  await withServer(async (s) => {
    await assertTusError(await fetch(`${s.endpoint}/AAAAAAAAAAAAAAAAAAAAAA`), 404)
    await assertTusError(await fetch(`${s.endpoint}/not.valid`), 404)
  })
})

test('GET on the creation URL: 405 with Allow, even without Tus-Resumable', async () => {
  await withServer(async (s) => {
    const res = await fetch(s.endpoint)
    await assertTusError(res, 405)
    assert.equal(res.headers.get('allow'), 'OPTIONS, POST')
  })
})

test('405 on an upload advertises GET in Allow', async () => {
  await withServer(async (s) => {
    const { url } = await create(s)
    const res = await fetch(url, { method: 'PUT', headers: TUS })
    await assertTusError(res, 405, 'PUT')
    assert.equal(res.headers.get('allow'), 'OPTIONS, HEAD, PATCH, DELETE, GET')
  })
})

test('download: false answers GET with 405 and leaves GET out of Allow', async () => {
  await withServer({ download: false }, async (s) => {
    const url = await uploaded(s)
    const res = await fetch(url)
    await assertTusError(res, 405)
    assert.equal(res.headers.get('allow'), 'OPTIONS, HEAD, PATCH, DELETE')
    assert.equal((await head(url)).status, 200)
  })
})

test('a store without the read capability: GET is 405', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-test-'))
  const files = new FileStore({ directory, fsync: false })
  const store: UploadStore = {
    capabilities: new Set(['termination']),
    create: (init) => files.create(init),
    get: (id) => files.get(id),
    append: (id, offset, body, opts) => files.append(id, offset, body, opts),
    remove: (id) => files.remove(id),
  }
  const tus = createTusHandler(store)
  const server = createServer((req, res) => tus(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const post = await fetch(`${origin}/files`, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '0' },
    })
    assert.equal(post.status, 201)
    const res = await fetch(new URL(post.headers.get('location') ?? '', origin))
    await assertTusError(res, 405)
    assert.equal(res.headers.get('allow'), 'OPTIONS, HEAD, PATCH, DELETE')
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await rm(directory, { recursive: true, force: true })
  }
})

test('GET during a running PATCH does not interrupt it', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    const port = portOf(s)
    // A PATCH that sends 4 of its 10 bytes, then waits.
    const socket = await openSocket(port)
    const responded = new Promise<string>((resolve) => {
      let text = ''
      socket.on('data', (c: Buffer) => (text += c.toString()))
      socket.on('close', () => resolve(text))
    })
    socket.write(patchHead(port, id, 0, 10, [['Connection', 'close']]))
    socket.write('abcd')
    // wait until the 4 bytes are stored (bounded)
    const deadline = Date.now() + 3000
    let got = ''
    while (Date.now() < deadline) {
      const res = await fetch(url)
      got = await res.text()
      if (got === 'abcd') break
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(got, 'abcd')
    // the PATCH is still running and can finish
    socket.write('efghij')
    const answer = await Promise.race([
      responded,
      new Promise<string>((r) => setTimeout(() => r('timeout'), 3000)),
    ])
    assert.match(answer, /^HTTP\/1\.1 204/)
    assert.match(answer, /Upload-Offset: 10/i)
    assert.equal(await (await fetch(url)).text(), 'abcdefghij')
    socket.destroy()
  })
})

test('GET sends the exact bytes on the wire (raw socket)', async () => {
  await withServer(async (s) => {
    const url = await uploaded(s)
    const port = portOf(s)
    const res = await rawRequest(
      port,
      requestHead('GET', new URL(url).pathname, [
        ['Host', `127.0.0.1:${port}`],
        ['Range', 'bytes=0-4'],
        ['Connection', 'close'],
      ]),
    )
    assert.equal(res.status, 206)
    assert.equal(res.body.toString(), 'hello')
    assert.equal(res.headers['content-range']?.[0], 'bytes 0-4/11')
  })
})
