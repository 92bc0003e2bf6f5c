import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { startServer, withServer } from '../helpers/server.js'
import { TusError, type Upload } from '../../src/index.js'
import { TUS, assertTusError, create, dataOf, head, patch, storeFiles } from './tus-client.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')

/** Creates an upload whose id a hook chose (so not the default 22-character form). */
async function createCustom(endpoint: string, headers: Record<string, string>) {
  const res = await fetch(endpoint, { method: 'POST', headers: { ...TUS, ...headers } })
  assert.equal(res.status, 201, await res.text())
  const url = res.headers.get('location') ?? ''
  return { url, id: url.slice(url.lastIndexOf('/') + 1) }
}

test('onIncomingRequest authenticates every request except OPTIONS', async () => {
  const seen: Array<[string, string | undefined]> = []
  const s = await startServer({
    onIncomingRequest(req, id) {
      seen.push([req.method, id])
      assert.ok((req.raw as IncomingMessage).socket, 'raw is the IncomingMessage')
      if (req.headers.authorization !== 'Bearer good') {
        throw new TusError('ERR_UNAUTHORIZED', 401, 'missing or bad credentials')
      }
    },
  })
  try {
    const denied = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '5' },
    })
    assert.equal(
      await assertTusError(denied, 401),
      'ERR_UNAUTHORIZED: missing or bad credentials',
      "a hook's TusError: its code, then its message",
    )
    assert.deepEqual(await storeFiles(s), [], 'nothing created for a refused request')
    const options = await fetch(s.endpoint, { method: 'OPTIONS' })
    assert.equal(options.status, 204, 'preflights need no credentials')

    const auth = { Authorization: 'Bearer good' }
    const { url, id } = await create(s, { 'Upload-Length': '5', ...auth })
    assert.equal((await patch(url, 0, 'hello')).status, 401)
    assert.equal((await patch(url, 0, 'hello', auth)).status, 204)
    assert.equal((await head(url, { ...TUS, ...auth })).status, 200)
    assert.deepEqual(
      seen.filter(([, i]) => i !== undefined),
      [
        ['PATCH', id],
        ['PATCH', id],
        ['HEAD', id],
      ],
    )
  } finally {
    await s.close()
  }
})

test('a hook error with a plain status is answered with it; other errors are failures', async () => {
  let mode: 'status' | 'crash' = 'status'
  const s = await startServer({
    onIncomingRequest() {
      if (mode === 'status') throw Object.assign(new Error('quota\r\nexceeded'), { status: 429 })
      throw new Error('database down')
    },
  })
  try {
    const res = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1' },
    })
    // The app chose the body and no code: it is sent as written, folded to one line.
    assert.equal(res.status, 429)
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain\b/)
    assert.equal(await res.text(), 'quota exceeded\n', 'no code in front')
    mode = 'crash'
    const crash = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1' },
    })
    assert.equal(crash.status, 500, 'the test server answers next(err) with 500')
  } finally {
    await s.close()
  }
})

test('onUploadCreate validates and rewrites metadata and may choose the id', async () => {
  const s = await startServer({
    onUploadCreate(_req, upload) {
      if (!upload.metadata.filename) {
        throw new TusError('ERR_FILENAME_REQUIRED', 400, 'filename metadata is required')
      }
      if (upload.size !== undefined && upload.size > 100) {
        throw new TusError('ERR_TOO_BIG', 413, 'too big for your plan')
      }
      return {
        metadata: { ...upload.metadata, owner: 'alice' },
        id: `alice-${upload.metadata.filename.replace(/\W/g, '')}`,
      }
    },
  })
  try {
    const bare = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '5' },
    })
    assert.equal(
      await assertTusError(bare, 400),
      'ERR_FILENAME_REQUIRED: filename metadata is required',
    )
    const big = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '500', 'Upload-Metadata': `filename ${b64('a')}` },
    })
    await assertTusError(big, 413)
    const { url, id } = await createCustom(s.endpoint, {
      'Upload-Length': '5',
      'Upload-Metadata': `filename ${b64('cat.png')}`,
    })
    assert.equal(id, 'alice-catpng')
    const res = await head(url)
    assert.equal(
      res.headers.get('upload-metadata'),
      `filename ${b64('cat.png')},owner ${b64('alice')}`,
    )
  } finally {
    await s.close()
  }
})

test('namingFunction chooses ids; an unsafe id is a failure, not a file outside the store', async () => {
  let next = 'custom_id-1'
  const s = await startServer({ namingFunction: () => next })
  try {
    const { id } = await createCustom(s.endpoint, { 'Upload-Length': '1' })
    assert.equal(id, 'custom_id-1')
    next = '../escape'
    const res = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1' },
    })
    assert.equal(res.status, 500)
    assert.deepEqual(await storeFiles(s), ['custom_id-1.json'])
  } finally {
    await s.close()
  }
})

test('onUploadFinish runs once when the last byte lands and may add headers', async () => {
  const finished: Upload[] = []
  const s = await startServer({
    async onUploadFinish(_req, upload) {
      finished.push(upload)
      return { headers: { 'X-Processed': 'yes' } }
    },
  })
  try {
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    const first = await patch(url, 0, 'hello')
    assert.equal(first.headers.get('x-processed'), null)
    assert.equal(finished.length, 0)
    const last = await patch(url, 5, 'world')
    assert.equal(last.status, 204)
    assert.equal(last.headers.get('x-processed'), 'yes')
    assert.equal(finished.length, 1)
    assert.equal(finished[0]?.id, id)
    assert.equal(finished[0]?.offset, 10)
    assert.equal((await patch(url, 10, '')).status, 204)
    assert.equal(finished.length, 1, 'an empty PATCH to a finished upload does not finish it again')

    // 0-byte uploads finish at creation; creation-with-upload finishes on the POST.
    const empty = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '0' },
    })
    assert.equal(empty.headers.get('x-processed'), 'yes')
    const whole = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '3', 'Content-Type': 'application/offset+octet-stream' },
      body: 'abc',
    })
    assert.equal(whole.status, 201)
    assert.equal(whole.headers.get('x-processed'), 'yes')
    assert.equal(finished.length, 3)
  } finally {
    await s.close()
  }
})

test('a rejecting onUploadFinish answers with its error and keeps the bytes', async () => {
  const s = await startServer({
    onUploadFinish() {
      throw new TusError('ERR_VIRUS', 422, 'file rejected by scanner')
    },
  })
  try {
    const { url, id } = await create(s, { 'Upload-Length': '5' })
    const res = await patch(url, 0, 'hello')
    assert.equal(await assertTusError(res, 422), 'ERR_VIRUS: file rejected by scanner')
    assert.equal((await dataOf(s, id)).toString(), 'hello')
  } finally {
    await s.close()
  }
})

test('onResponseError may replace error responses', async () => {
  const s = await startServer({
    onResponseError(_req, err) {
      if (err.status === 404) return { status: 410, body: 'gone, sorry' }
    },
  })
  try {
    const res = await head(`${s.endpoint}/doesnotexist`)
    assert.equal(res.status, 410)
    const replaced = await fetch(`${s.endpoint}/doesnotexist`, { method: 'DELETE', headers: TUS })
    assert.equal(replaced.status, 410)
    assert.equal(await replaced.text(), 'gone, sorry\n', 'a replacement body is sent as written')
    const other = await fetch(s.endpoint, { method: 'POST', headers: { ...TUS } })
    assert.equal(other.status, 400, 'errors the hook leaves alone keep their status')
    assert.match(await other.text(), /^ERR_MISSING_LENGTH: /, 'and their body')
  } finally {
    await s.close()
  }
})

test('a hook error with a status but no message is ERR_REFUSED with its status', async () => {
  const s = await startServer({
    onIncomingRequest() {
      throw Object.assign(new Error(''), { status: 451 })
    },
  })
  try {
    const res = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1' },
    })
    assert.equal(await assertTusError(res, 451), 'ERR_REFUSED: request refused')
  } finally {
    await s.close()
  }
})

test('maxSize may be decided per request', async () => {
  const s = await startServer({
    maxSize: (req) => (req.headers['x-plan'] === 'pro' ? 1000 : 10),
  })
  try {
    const free = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '100' },
    })
    await assertTusError(free, 413)
    await create(s, { 'Upload-Length': '100', 'X-Plan': 'pro' })
    const options = await fetch(s.endpoint, { method: 'OPTIONS', headers: { 'X-Plan': 'pro' } })
    assert.equal(options.headers.get('tus-max-size'), '1000')
  } finally {
    await s.close()
  }
})

test('terminateFinished: false refuses DELETE of finished uploads only', async () => {
  await withServer({ terminateFinished: false }, async (s) => {
    const done = await create(s, { 'Upload-Length': '2' })
    await patch(done.url, 0, 'ok')
    const refused = await fetch(done.url, { method: 'DELETE', headers: TUS })
    await assertTusError(refused, 403)
    assert.equal((await head(done.url)).status, 200)
    const open = await create(s, { 'Upload-Length': '2' })
    assert.equal((await fetch(open.url, { method: 'DELETE', headers: TUS })).status, 204)
  })
})

test('bad hook options fail at construction', async () => {
  await assert.rejects(
    startServer({ onUploadFinish: 'nope' as unknown as () => void }),
    /onUploadFinish must be a function/,
  )
})

test('an overlong chunked body that fills the upload still finishes it (hook and event)', async () => {
  const finished: string[] = []
  const s = await startServer({
    onUploadFinish(_req, upload) {
      finished.push(upload.id)
    },
  })
  const progress: number[] = []
  s.handler.events.on('progress', (u) => progress.push(u.offset))
  try {
    const { url, id } = await create(s, { 'Upload-Length': '5' })
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('hello'))
        controller.enqueue(new TextEncoder().encode(' world'))
        controller.close()
      },
    })
    const res = await fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
      body,
      duplex: 'half',
    } as RequestInit)
    await assertTusError(res, 413)
    assert.equal((await dataOf(s, id)).toString(), 'hello')
    assert.deepEqual(finished, [id])
    assert.deepEqual(progress, [5])
  } finally {
    await s.close()
  }
})
