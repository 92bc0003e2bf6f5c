// Classic form uploads: multipart/form-data POSTs to the creation URL (src/dialects/tus/multipart.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { createTusHandler, TusError, type Upload, type UploadStore } from '../../src/index.js'
import { negotiateFormat } from '../../src/dialects/tus/multipart-response.js'
import { resolveMultipart } from '../../src/context/multipart-options.js'
import { CURL, needProgram } from '../helpers/external.js'
import { startServer, withServer, type TestServer } from '../helpers/server.js'
import { chunked, rawRequest, requestHead } from '../helpers/raw-http.js'
import { assertCodeFirst, dataOf, head, idOf, portOf, storeFiles } from './tus-client.js'

const BOUNDARY = '----tuskitFormBoundary7MA4YWxkTrZu0gW'

type Part =
  | { name: string; value: string }
  | { name: string; filename?: string; type?: string; data: Buffer | string }

/** A multipart/form-data body, built by hand so every header of every part is ours. */
function formBody(parts: readonly Part[], boundary = BOUNDARY): Buffer {
  const out: Buffer[] = []
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`
    if ('data' in part) {
      if (part.filename !== undefined) head += `; filename="${part.filename}"`
      head += `\r\nContent-Type: ${part.type ?? 'application/octet-stream'}`
    }
    out.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'))
    out.push('data' in part ? Buffer.from(part.data) : Buffer.from(part.value, 'utf8'))
    out.push(Buffer.from('\r\n'))
  }
  out.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(out)
}

function postForm(
  s: TestServer,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(s.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
    body,
  })
}

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff
  return b
}

async function info(s: TestServer, id: string): Promise<{ size: number; metadata: object }> {
  return JSON.parse(await readFile(join(s.directory, `${id}.json`), 'utf8')) as {
    size: number
    metadata: object
  }
}

/** Asserts a one-line error answer with this status, its code first, matching `message`. */
async function assertError(res: Response, status: number, message: RegExp): Promise<void> {
  const body = await res.text()
  assert.equal(res.status, status, body)
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8')
  assertCodeFirst(body, status)
  assert.match(body, message)
}

/** Waits (bounded) until the store folder is empty: clean-up runs before the answer, but an abort has no answer. */
async function assertStoreEmpty(s: TestServer): Promise<void> {
  for (let i = 0; (await storeFiles(s)).length > 0; i++) {
    assert.ok(i < 200, `store still holds ${(await storeFiles(s)).join(', ')}`)
    await sleep(10)
  }
}

test('a browser FormData POST stores the file as a complete upload, no Tus-Resumable needed', async () => {
  await withServer(async (s) => {
    const data = bytes(300_000)
    const form = new FormData()
    form.append('note', 'for the report')
    form.append('file', new Blob([data], { type: 'image/png' }), 'photo.png')
    const res = await fetch(s.endpoint, { method: 'POST', body: form })
    assert.equal(res.status, 201)
    const location = res.headers.get('location') ?? ''
    assert.match(location, new RegExp(`^http://127\\.0\\.0\\.1:${portOf(s)}/files/`))
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8')
    assert.equal(await res.text(), `${location}\n`)
    const id = idOf(location)
    assert.deepEqual(await dataOf(s, id), data)
    assert.deepEqual(await info(s, id), {
      ...(await info(s, id)),
      size: data.length,
      metadata: { note: 'for the report', filename: 'photo.png', filetype: 'image/png' },
    })
    const h = await head(location)
    assert.equal(h.headers.get('upload-offset'), String(data.length))
    assert.equal(h.headers.get('upload-length'), String(data.length))
    const download = await fetch(location)
    assert.equal(download.status, 200)
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), data)
  })
})

test('several files: Accept: application/json lists them all, Location is the first', async () => {
  await withServer({ relativeLocation: true }, async (s) => {
    const a = bytes(70_000, 3)
    const body = formBody([
      { name: 'album', value: 'holidays' },
      { name: 'f1', filename: 'a.bin', data: a },
      { name: 'caption', value: 'second only' },
      { name: 'f2', filename: 'b.txt', type: 'text/plain', data: 'hello' },
      { name: 'f3', filename: 'empty.dat', data: '' },
    ])
    const res = await postForm(s, body, { Accept: 'application/json' })
    assert.equal(res.status, 201)
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
    const json = (await res.json()) as {
      uploads: Array<{ location: string; id: string; filename: string; size: number }>
    }
    assert.equal(json.uploads.length, 3)
    assert.equal(res.headers.get('location'), json.uploads[0]?.location)
    assert.deepEqual(
      json.uploads.map((u) => [u.location, u.filename, u.size]),
      json.uploads.map((u) => [`/files/${u.id}`, u.filename, u.size]),
    )
    assert.deepEqual(
      json.uploads.map((u) => [u.filename, u.size]),
      [
        ['a.bin', a.length],
        ['b.txt', 5],
        ['empty.dat', 0],
      ],
    )
    const [u1, u2, u3] = json.uploads.map((u) => u.id) as [string, string, string]
    assert.deepEqual(await dataOf(s, u1), a)
    assert.equal((await dataOf(s, u2)).toString(), 'hello')
    assert.equal((await dataOf(s, u3)).length, 0)
    // Fields apply to the files after them.
    assert.deepEqual((await info(s, u1)).metadata, {
      album: 'holidays',
      filename: 'a.bin',
      filetype: 'application/octet-stream',
    })
    assert.deepEqual((await info(s, u2)).metadata, {
      album: 'holidays',
      caption: 'second only',
      filename: 'b.txt',
      filetype: 'text/plain',
    })
    assert.equal((await info(s, u3)).size, 0)
  })
})

test('a browser form submission gets a small HTML page; names are escaped', async () => {
  await withServer(async (s) => {
    const body = formBody([{ name: 'f', filename: '<img src=x onerror=alert(1)>.txt', data: 'x' }])
    const res = await postForm(s, body, {
      Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    })
    assert.equal(res.status, 201)
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8')
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/)
    const html = await res.text()
    assert.ok(!html.includes('<img'), html)
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;\.txt<\/a> \(1 bytes\)/)
    assert.ok(html.includes(`href="${res.headers.get('location')}"`), html)
  })
})

test('Accept negotiation', () => {
  assert.equal(negotiateFormat(undefined), 'text/plain')
  assert.equal(negotiateFormat('*/*'), 'text/plain')
  assert.equal(negotiateFormat('application/json'), 'application/json')
  assert.equal(negotiateFormat('application/json, text/plain;q=0.5'), 'application/json')
  assert.equal(negotiateFormat('text/*;q=0.2, application/json;q=0.1'), 'text/plain')
  assert.equal(negotiateFormat('text/html'), 'text/html')
  assert.equal(negotiateFormat('image/png'), 'text/plain')
  assert.equal(negotiateFormat(['application/json;q=0', 'text/html']), 'text/html')
})

test('UTF-8 file names survive; an empty file input (no name, no bytes) is skipped', async () => {
  await withServer(async (s) => {
    const body = formBody([
      { name: 'skipped', filename: '', data: '' },
      { name: 'f', filename: 'résumé – 履歴書.pdf', type: 'application/pdf', data: 'pdf!' },
      // A part without a file name but with bytes still counts as a file.
      { name: 'raw', data: 'raw bytes' },
    ])
    const res = await postForm(s, body, { Accept: 'application/json' })
    assert.equal(res.status, 201)
    const { uploads } = (await res.json()) as {
      uploads: Array<{ id: string; filename: string | null; size: number }>
    }
    assert.deepEqual(
      uploads.map((u) => [u.filename, u.size]),
      [
        ['résumé – 履歴書.pdf', 4],
        [null, 9],
      ],
    )
    assert.equal((await dataOf(s, uploads[1]?.id ?? '')).toString(), 'raw bytes')
    assert.equal((await storeFiles(s)).length, 4)
  })
})

test('hooks and events run as for tus uploads; finish headers join the answer', async () => {
  const calls: string[] = []
  const s = await startServer({
    onIncomingRequest(req) {
      calls.push(`incoming ${req.method}`)
    },
    onUploadCreate(_req, upload) {
      calls.push(`create size=${String(upload.size)} ${upload.metadata['filename'] ?? ''}`)
      return { metadata: { ...upload.metadata, owner: 'alice' } }
    },
    onUploadFinish(_req, upload) {
      calls.push(`finish ${upload.metadata['filename'] ?? ''} ${upload.offset}/${upload.size}`)
      return { headers: { 'X-Finished': String(upload.metadata['filename']) } }
    },
  })
  const events: string[] = []
  s.handler.events.on('created', (u: Upload) => events.push(`created ${u.offset}`))
  s.handler.events.on('progress', (u: Upload) => events.push(`progress ${u.offset}`))
  s.handler.events.on('finished', (u: Upload) => events.push(`finished ${u.size}`))
  try {
    const body = formBody([
      { name: 'a', filename: 'one.txt', data: 'abc' },
      { name: 'b', filename: 'two.txt', data: 'defgh' },
    ])
    const res = await postForm(s, body)
    assert.equal(res.status, 201, await res.text())
    assert.equal(res.headers.get('x-finished'), 'two.txt')
    assert.deepEqual(calls, [
      'incoming POST',
      'create size=undefined one.txt',
      'create size=undefined two.txt',
      'finish one.txt 3/3',
      'finish two.txt 5/5',
    ])
    assert.deepEqual(events, [
      'created 0',
      'progress 3',
      'created 0',
      'progress 5',
      'finished 3',
      'finished 5',
    ])
    const id = idOf(res.headers.get('location') ?? '')
    assert.equal((await info(s, id)).metadata['owner' as keyof object], 'alice')
  } finally {
    await s.close()
  }
})

test('a hook refusing a file fails the form and removes what it created', async () => {
  const s = await startServer({
    onUploadCreate(_req, upload) {
      if (upload.metadata['filename'] === 'bad.exe')
        throw new TusError('ERR_NO_EXE', 422, 'no .exe')
    },
  })
  try {
    const body = formBody([
      { name: 'a', filename: 'good.txt', data: 'fine' },
      { name: 'b', filename: 'bad.exe', data: 'MZ' },
    ])
    await assertError(await postForm(s, body), 422, /^ERR_NO_EXE: no \.exe\n$/)
    await assertStoreEmpty(s)
  } finally {
    await s.close()
  }
})

test('maxSize applies to each file: 413, and every upload of the form is removed', async () => {
  await withServer({ maxSize: 100_000 }, async (s) => {
    const exact = await postForm(s, formBody([{ name: 'f', filename: 'x', data: bytes(100_000) }]))
    assert.equal(exact.status, 201, 'a file of exactly maxSize fits')
    const id = idOf(exact.headers.get('location') ?? '')
    const body = formBody([
      { name: 'f1', filename: 'fits.bin', data: bytes(50_000) },
      { name: 'f2', filename: 'big.bin', data: bytes(100_001) },
    ])
    await assertError(
      await postForm(s, body),
      413,
      /^ERR_MAX_SIZE_EXCEEDED: .*larger than the maximum size \(100000 bytes\)/,
    )
    assert.deepEqual(await storeFiles(s), [id, `${id}.json`])
  })
})

test('multipart.maxFileSize: a large file is cut off mid-stream with 413 and removed', async () => {
  await withServer({ multipart: { maxFileSize: 1024 * 1024 } }, async (s) => {
    const big = bytes(6 * 1024 * 1024)
    const res = await postForm(s, formBody([{ name: 'f', filename: 'big', data: big }]))
    await assertError(
      res,
      413,
      /^ERR_MAX_SIZE_EXCEEDED: .*larger than the maximum size \(1048576 bytes\)/,
    )
    await assertStoreEmpty(s)
  })
})

test('maxFiles, maxFields and maxFieldSize: 413 with a clear reason, nothing kept', async () => {
  await withServer({ multipart: { maxFiles: 2, maxFields: 2, maxFieldSize: 10 } }, async (s) => {
    const file = (i: number): Part => ({ name: `f${i}`, filename: `${i}.txt`, data: `file ${i}` })
    const field = (i: number): Part => ({ name: `k${i}`, value: 'v' })
    await assertError(
      await postForm(s, formBody([file(1), file(2), file(3)])),
      413,
      /^ERR_TOO_MANY_FILES: the form has more than 2 files\n$/,
    )
    await assertError(
      await postForm(s, formBody([field(1), field(2), field(3), file(1)])),
      413,
      /^ERR_TOO_MANY_FIELDS: the form has more than 2 fields\n$/,
    )
    await assertError(
      await postForm(s, formBody([{ name: 'k', value: '01234567890' }, file(1)])),
      413,
      /^ERR_FIELD_TOO_LARGE: form field "k" is longer than 10 bytes\n$/,
    )
    await assertStoreEmpty(s)
    const ok = await postForm(s, formBody([field(1), field(2), file(1), file(2)]))
    assert.equal(ok.status, 201)
  })
})

test('bad forms: 400 for no file, bad field names, repeated fields, no boundary, a cut-off body', async () => {
  await withServer(async (s) => {
    await assertError(
      await postForm(s, formBody([{ name: 'k', value: 'v' }])),
      400,
      /^ERR_NO_FILE: the form contains no file\n$/,
    )
    await assertError(
      await postForm(s, formBody([{ name: 'two words', value: 'v' }])),
      400,
      /^ERR_INVALID_METADATA: form field name "two words" cannot be a metadata key\n$/,
    )
    await assertError(
      await postForm(
        s,
        formBody([
          { name: 'k', value: 'v' },
          { name: 'k', value: 'w' },
        ]),
      ),
      400,
      /^ERR_INVALID_METADATA: form field "k" is repeated\n$/,
    )
    await assertError(
      await fetch(s.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data' },
        body: 'x',
      }),
      400,
      /^ERR_INVALID_MULTIPART: multipart\/form-data body is malformed/,
    )
    // The body ends (properly, chunked) in the middle of a file.
    const whole = formBody([
      { name: 'a', filename: 'complete.txt', data: 'all here' },
      { name: 'b', filename: 'cut.bin', data: bytes(50_000) },
    ])
    const res = await rawRequest(portOf(s), [
      requestHead('POST', '/files', [
        ['Host', '127.0.0.1'],
        ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`],
        ['Transfer-Encoding', 'chunked'],
        ['Connection', 'close'],
      ]),
      chunked([whole.subarray(0, whole.length - 20_000)]),
    ])
    assert.equal(res.status, 400, res.raw.toString())
    assert.match(
      res.body.toString(),
      /^ERR_INVALID_MULTIPART: multipart\/form-data body is malformed: Unexpected end/,
    )
    await assertStoreEmpty(s)
  })
})

test('a client that goes away mid-file leaves nothing behind', async () => {
  await withServer(async (s) => {
    const whole = formBody([
      { name: 'a', filename: 'first.txt', data: 'first' },
      { name: 'b', filename: 'big.bin', data: bytes(4 * 1024 * 1024) },
    ])
    const socket = connect(portOf(s), '127.0.0.1')
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    socket.write(
      requestHead('POST', '/files', [
        ['Host', '127.0.0.1'],
        ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`],
        ['Content-Length', String(whole.length)],
      ]),
    )
    socket.write(whole.subarray(0, 2 * 1024 * 1024))
    // Wait until the big file is being stored, then drop the connection.
    for (let i = 0; (await storeFiles(s)).length < 4; i++) {
      assert.ok(i < 300, 'the server never started storing the second file')
      await sleep(10)
    }
    socket.destroy()
    await assertStoreEmpty(s)
  })
})

test('a form that stalls is cut off after bodyIdleTimeout with 408; nothing kept', async () => {
  await withServer({ bodyIdleTimeout: 300 }, async (s) => {
    const whole = formBody([{ name: 'f', filename: 'slow.bin', data: bytes(100_000) }])
    const started = Date.now()
    const res = await rawRequest(
      portOf(s),
      [
        requestHead('POST', '/files', [
          ['Host', '127.0.0.1'],
          ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`],
          ['Content-Length', String(whole.length)],
        ]),
        whole.subarray(0, 40_000),
      ],
      { timeoutMs: 5000 },
    )
    assert.equal(res.status, 408, res.raw.toString())
    assert.match(res.body.toString(), /^ERR_BODY_TIMEOUT: the form stalled for too long/)
    assert.ok(Date.now() - started < 4000)
    await assertStoreEmpty(s)
  })
})

test('curl -F uploads a file and reads the JSON answer', async (t) => {
  const curl = needProgram(t, CURL)
  if (curl === undefined) return
  const s = await startServer()
  try {
    const file = join(s.directory, 'from-curl.txt.src')
    await writeFile(file, 'sent by curl -F\n')
    const { stdout } = await promisify(execFile)(curl, [
      '-sS',
      '--max-time',
      '10',
      '-H',
      'Accept: application/json',
      '-F',
      'project=tuskit',
      '-F',
      `file=@${file};type=text/plain`,
      s.endpoint,
    ])
    const { uploads } = JSON.parse(stdout) as { uploads: Array<{ id: string; filename: string }> }
    assert.equal(uploads.length, 1)
    assert.equal(uploads[0]?.filename, 'from-curl.txt.src')
    assert.equal((await dataOf(s, uploads[0]?.id ?? '')).toString(), 'sent by curl -F\n')
    assert.deepEqual((await info(s, uploads[0]?.id ?? '')).metadata, {
      project: 'tuskit',
      filename: 'from-curl.txt.src',
      filetype: 'text/plain',
    })
  } finally {
    await s.close()
  }
})

test('multipart: false makes a form POST an ordinary tus POST (412 without Tus-Resumable)', async () => {
  await withServer({ multipart: false }, async (s) => {
    const res = await postForm(s, formBody([{ name: 'f', filename: 'x', data: 'x' }]))
    assert.equal(res.status, 412)
    assert.deepEqual(await storeFiles(s), [])
  })
})

test('a store without deferred lengths answers form uploads 501', async () => {
  const s = await startServer()
  const inner = s.store
  const store: UploadStore = {
    capabilities: new Set(['termination']),
    create: (init) => inner.create(init),
    get: (id) => inner.get(id),
    append: (id, offset, body, opts) => inner.append(id, offset, body, opts),
  }
  const tus = createTusHandler(store)
  s.server.removeAllListeners('request')
  s.server.on('request', (req, res) => tus(req, res))
  try {
    const res = await postForm(s, formBody([{ name: 'f', filename: 'x', data: 'x' }]))
    await assertError(
      res,
      501,
      /^ERR_MULTIPART_NOT_SUPPORTED: form uploads need a store that supports deferred upload lengths\n$/,
    )
  } finally {
    await s.close()
  }
})

test('multipart options are validated at creation', () => {
  assert.equal(resolveMultipart(false), undefined)
  assert.equal(resolveMultipart(undefined)?.maxFiles, 10)
  assert.equal(resolveMultipart({ maxFiles: 1 })?.maxFiles, 1)
  assert.throws(() => resolveMultipart({ maxFiles: -1 }), /multipart\.maxFiles/)
  assert.throws(() => resolveMultipart({ maxFieldSize: 1.5 }), /multipart\.maxFieldSize/)
  assert.throws(() => resolveMultipart(true as never), /options\.multipart must be/)
})
