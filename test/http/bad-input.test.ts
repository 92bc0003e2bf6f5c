import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Socket } from 'node:net'
import { startServer, type TestServer } from '../helpers/server.js'
import {
  header,
  openSocket,
  rawRequest,
  requestHead,
  type RawHeaders,
  type RawResponse,
} from '../helpers/raw-http.js'
import {
  OCTET,
  assertRawTusError,
  assertTusError,
  create,
  dataOf,
  head,
  offsetOf,
  patch,
  patchHead,
  portOf,
  storeFiles,
  TUS,
} from './tus-client.js'

const OLD = new Date('2001-02-03T04:05:06Z')

interface Canary {
  path: string
  content: string
  mtimeMs: number
}

/** A temp root holding the store folder `store/` and canary files next to it. */
async function withCanaries(
  fn: (s: TestServer, canaries: Canary[], root: string) => Promise<void>,
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'tuskit-bad-'))
  const directory = join(root, 'store')
  const canaries: Canary[] = []
  for (const [name, content] of [
    ['canary', 'CANARY: must never change\n'],
    ['canary.json', '{"id":"canary","size":5,"metadata":{},"createdAt":"2001-02-03T04:05:06Z"}'],
    ['store.json', '{"id":"store","size":5,"metadata":{},"createdAt":"2001-02-03T04:05:06Z"}'],
  ] as const) {
    const path = join(root, name)
    await writeFile(path, content)
    await utimes(path, OLD, OLD)
    canaries.push({ path, content, mtimeMs: (await stat(path)).mtimeMs })
  }
  const s = await startServer({}, { directory })
  try {
    await fn(s, canaries, root)
  } finally {
    await s.close()
    await rm(root, { recursive: true, force: true })
  }
}

async function assertCanariesIntact(canaries: Canary[], root: string): Promise<void> {
  for (const c of canaries) {
    assert.equal(await readFile(c.path, 'utf8'), c.content, `${c.path} content`)
    assert.equal((await stat(c.path)).mtimeMs, c.mtimeMs, `${c.path} mtime`)
  }
  // nothing new appeared next to the store folder either
  assert.deepEqual((await readdir(root)).sort(), ['canary', 'canary.json', 'store', 'store.json'])
}

/** A normal upload still works end to end. */
async function assertServerWorks(s: TestServer): Promise<void> {
  const { url, id } = await create(s, { 'Upload-Length': '2' })
  const res = await patch(url, 0, 'ok')
  assert.equal(res.status, 204)
  assert.equal(await offsetOf(url), 2)
  assert.equal((await dataOf(s, id)).toString(), 'ok')
  assert.equal((await fetch(url, { method: 'DELETE', headers: TUS })).status, 204)
}

function hostHeader(s: TestServer): readonly [string, string] {
  return ['Host', `127.0.0.1:${portOf(s)}`]
}

/** One request on its own connection; `Connection: close` so the server hangs up after. */
function send(
  s: TestServer,
  method: string,
  path: string,
  headers: RawHeaders,
  body: Buffer | string = '',
): Promise<RawResponse> {
  const b = typeof body === 'string' ? Buffer.from(body) : body
  const all: RawHeaders = [hostHeader(s), ...headers, ['Connection', 'close']]
  const withLength: RawHeaders =
    method === 'HEAD' || headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))
      ? all
      : [...all, ['Content-Length', String(b.length)]]
  return rawRequest(portOf(s), [requestHead(method, path, withLength), b], {
    head: method === 'HEAD',
  })
}

function assert4xx(res: RawResponse, what: string): void {
  assert.ok(
    res.status >= 400 && res.status < 500,
    `${what}: expected 4xx, got ${res.statusLine || '(no response)'}`,
  )
}

const TUS_H: RawHeaders = [['Tus-Resumable', '1.0.0']]

/** Every way we could think of to name something outside the store, or not an upload. */
function evilPaths(id: string): string[] {
  const long = 'A'.repeat(129)
  return [
    '/files/..',
    '/files/.',
    '/files/...',
    '/files/../canary',
    '/files/../../canary',
    '/files/../store.json',
    '/files/../canary.json',
    '/files/..%2fcanary',
    '/files/..%2Fcanary',
    '/files/..%2f..%2fetc%2fpasswd',
    '/files/%2e%2e',
    '/files/%2e%2e/canary',
    '/files/%2e%2e%2fcanary',
    '/files/%2E%2E%2Fcanary',
    '/files/.%2e/canary',
    '/files/%252e%252e%252fcanary',
    '/files/..\\canary',
    '/files/..%5ccanary',
    '/files/..%5Ccanary',
    '/files/%5c..%5ccanary',
    '/files/canary%00',
    '/files/%00',
    '/files/..%00/canary',
    `/files/${id}%00.json`,
    '/files/%c0%ae%c0%ae/canary',
    '/files/%c0%ae%c0%ae%c0%afcanary',
    '/files/%e0%80%ae%e0%80%ae%2fcanary',
    '/files/canary', // names the canary: not an upload of this store
    '/files/canary.json',
    '/files/store',
    '/files/..;/canary',
    '/files/./canary',
    '/files//canary',
    '/files/%2fetc%2fpasswd',
    '/files/%2Ftmp',
    `/files/${id}.json`,
    `/files/${id}/`,
    `/files/${id}/..`,
    `/files/${id}/../../canary`,
    `/files/${id}%2f..%2f..%2fcanary`,
    `/files/${id}.`,
    `/files/${id}%20`,
    `/files/${long}`,
    `/files/${'A'.repeat(5000)}`,
    `/files/${'..%2f'.repeat(1000)}canary`,
    '/files%2f..%2fcanary',
    '/files/..%2f/../canary?x=../../canary',
    'http://127.0.0.1/files/../canary',
    '*',
  ]
}

/** Raw bytes no fetch would send: NUL and control bytes in the request line. */
const RAW_EVIL_PATHS = [
  '/files/\0',
  '/files/..\0/canary',
  '/files/a\tb',
  '/files/\x7f',
  '/files/\xff',
]

test('path traversal and odd ids: always 4xx, canaries and the store untouched', async () => {
  await withCanaries(async (s, canaries, root) => {
    // a real upload, half written, that no attack may alter
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    assert.equal((await patch(url, 0, 'legit')).status, 204)

    const patchHeaders: RawHeaders = [...TUS_H, ['Content-Type', OCTET], ['Upload-Offset', '0']]
    const postHeaders: RawHeaders = [...TUS_H, ['Content-Type', OCTET], ['Upload-Length', '4']]
    const requests: Array<[string, RawHeaders]> = [
      ['HEAD', TUS_H],
      ['PATCH', patchHeaders],
      ['DELETE', TUS_H],
      ['POST', postHeaders],
      ['POST', [...patchHeaders, ['X-HTTP-Method-Override', 'PATCH']]],
      ['POST', [...TUS_H, ['X-HTTP-Method-Override', 'DELETE']]],
      ['POST', [...TUS_H, ['X-HTTP-Method-Override', 'HEAD']]],
      ['GET', []], // downloads need no Tus-Resumable: the same paths must not serve a file
    ]
    let count = 0
    for (const path of [...evilPaths(id), ...RAW_EVIL_PATHS]) {
      for (const [method, headers] of requests) {
        const res = await send(s, method, path, headers, method === 'HEAD' ? '' : 'EVIL')
        assert4xx(res, `${method} ${JSON.stringify(path.slice(0, 60))}`)
        count++
      }
    }
    assert.ok(count > 300)

    await assertCanariesIntact(canaries, root)
    // the legit upload is exactly as it was and no upload was created or removed
    assert.equal(await offsetOf(url), 5)
    assert.equal((await dataOf(s, id)).toString(), 'legit')
    assert.deepEqual(await storeFiles(s), [id, `${id}.json`])
    await assertServerWorks(s)
  })
})

test('an id naming a file that is not an upload: 404, the file untouched', async () => {
  await withCanaries(async (s) => {
    // a stray data file inside the store, with no info file: not an upload
    const stray = join(s.directory, 'stray_file')
    await writeFile(stray, 'stray')
    await utimes(stray, OLD, OLD)
    const before = (await stat(stray)).mtimeMs
    await assertTusError(await head(`${s.endpoint}/stray_file`), 404, 'HEAD')
    await assertTusError(await patch(`${s.endpoint}/stray_file`, 5, 'more'), 404, 'PATCH')
    await assertTusError(await patch(`${s.endpoint}/stray_file`, 0, 'more'), 404, 'PATCH')
    const del = await fetch(`${s.endpoint}/stray_file`, { method: 'DELETE', headers: TUS })
    await assertTusError(del, 404, 'DELETE')
    assert.equal(await readFile(stray, 'utf8'), 'stray')
    assert.equal((await stat(stray)).mtimeMs, before)
  })
})

test('malformed numbers: offsets and lengths are 400, nothing created or written', async () => {
  await withCanaries(async (s, canaries, root) => {
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    const deferred = await create(s, { 'Upload-Defer-Length': '1' })
    const bad = ['-1', '-0', 'abc', '1e3', '1.5', '0x10', '+1', 'NaN', 'Infinity', '1,2', '\u00b9']
    for (const value of bad) {
      // Upload-Length on POST
      const post = await send(s, 'POST', '/files', [...TUS_H, ['Upload-Length', value]])
      assertRawTusError(post, 400)
      // Upload-Offset on PATCH
      const p = await send(
        s,
        'PATCH',
        `/files/${id}`,
        [...TUS_H, ['Content-Type', OCTET], ['Upload-Offset', value]],
        'x',
      )
      assertRawTusError(p, 400)
      // Upload-Length on PATCH of a deferred upload
      const d = await send(
        s,
        'PATCH',
        `/files/${deferred.id}`,
        [...TUS_H, ['Content-Type', OCTET], ['Upload-Offset', '0'], ['Upload-Length', value]],
        'x',
      )
      assertRawTusError(d, 400)
    }
    assert.equal(await offsetOf(url), 0)
    const h = await head(deferred.url)
    assert.equal(h.headers.get('upload-offset'), '0')
    assert.equal(h.headers.get('upload-defer-length'), '1')
    // no byte stored: only the info files
    assert.deepEqual(await storeFiles(s), [`${id}.json`, `${deferred.id}.json`].sort())
    await assertCanariesIntact(canaries, root)
    await assertServerWorks(s)
  })
})

test('numbers past 2^53 - 1: "too large" with a code per header, nothing created or written', async () => {
  await withCanaries(async (s, canaries, root) => {
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    const deferred = await create(s, { 'Upload-Defer-Length': '1' })
    const limit = '(more than 9007199254740991)'
    for (const value of ['9007199254740992', '9007199254740993', '9'.repeat(30)]) {
      const post = await send(s, 'POST', '/files', [...TUS_H, ['Upload-Length', value]])
      assert.equal(
        assertRawTusError(post, 413),
        `ERR_UPLOAD_LENGTH_TOO_LARGE: Upload-Length is too large ${limit}`,
      )
      const offset = await send(
        s,
        'PATCH',
        `/files/${id}`,
        [...TUS_H, ['Content-Type', OCTET], ['Upload-Offset', value]],
        'x',
      )
      assert.equal(
        assertRawTusError(offset, 400),
        `ERR_OFFSET_TOO_LARGE: Upload-Offset is too large ${limit}`,
      )
      const length = await send(
        s,
        'PATCH',
        `/files/${deferred.id}`,
        [...TUS_H, ['Content-Type', OCTET], ['Upload-Offset', '0'], ['Upload-Length', value]],
        'x',
      )
      assert.equal(assertRawTusError(length, 413).split(':')[0], 'ERR_UPLOAD_LENGTH_TOO_LARGE')
    }
    // Content-Length: the answer comes before any body byte, on PATCH and creation-with-upload.
    // (Node's own parser refuses lengths past 2^64 - 1 before tuskit sees them.)
    const huge = '9007199254740993'
    const body = await send(s, 'PATCH', `/files/${id}`, [
      ...TUS_H,
      ['Content-Type', OCTET],
      ['Upload-Offset', '0'],
      ['Content-Length', huge],
    ])
    assert.equal(
      assertRawTusError(body, 413),
      `ERR_CONTENT_LENGTH_TOO_LARGE: Content-Length is too large ${limit}`,
    )
    const creation = await send(s, 'POST', '/files', [
      ...TUS_H,
      ['Upload-Defer-Length', '1'],
      ['Content-Type', OCTET],
      ['Content-Length', huge],
    ])
    assert.equal(assertRawTusError(creation, 413).split(':')[0], 'ERR_CONTENT_LENGTH_TOO_LARGE')
    assert.equal(creation.headers['location'], undefined, 'refused before creating')

    assert.equal(await offsetOf(url), 0)
    assert.equal((await head(deferred.url)).headers.get('upload-defer-length'), '1')
    assert.deepEqual(await storeFiles(s), [`${id}.json`, `${deferred.id}.json`].sort())
    await assertCanariesIntact(canaries, root)
    await assertServerWorks(s)
  })
})

test('malformed Upload-Metadata: 400, nothing created; values never leak into headers', async () => {
  await withCanaries(async (s) => {
    const bad = [
      'a YQ==,a Yg==',
      'key !!!notbase64',
      'key  YQ==',
      'key a b',
      ',',
      ',,,',
      'a YQ==,,b Yg==',
      Buffer.from('клю YQ==', 'utf8').toString('latin1'),
      'k\x01 YQ==',
      `a ${'QUFB'.repeat(2000)}`,
    ]
    for (const value of bad) {
      const res = await send(s, 'POST', '/files', [
        ...TUS_H,
        ['Upload-Length', '1'],
        ['Upload-Metadata', value],
      ])
      assert4xx(res, `metadata ${JSON.stringify(value.slice(0, 30))}`)
    }
    assert.deepEqual(await storeFiles(s), [])
    // header smuggling: a value holding CR LF is stored and echoed Base64-encoded only
    const evil = Buffer.from('a.txt\r\nX-Evil: 1\r\n\r\n<html>').toString('base64')
    const ok = await send(s, 'POST', '/files', [
      ...TUS_H,
      ['Upload-Length', '1'],
      ['Upload-Metadata', `filename ${evil}`],
    ])
    assert.equal(ok.status, 201)
    const location = header(ok, 'location') ?? ''
    const h = await head(location)
    assert.equal(h.headers.get('x-evil'), null)
    assert.equal(h.headers.get('upload-metadata'), `filename ${evil}`)
  })
})

test('headers past the 16 KiB limit: 431 or a closed connection, server stays up', async () => {
  await withCanaries(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '5' })
    const cases: RawHeaders[] = [
      [...TUS_H, ['X-Padding', 'a'.repeat(20_000)]],
      [...TUS_H, ['Upload-Metadata', `a ${'QUFB'.repeat(5000)}`], ['Upload-Length', '1']],
      [...TUS_H, ...Array.from({ length: 600 }, (_, i) => [`X-H${i}`, 'v'.repeat(30)] as const)],
    ]
    for (const headers of cases) {
      for (const [method, path] of [
        ['POST', '/files'],
        ['PATCH', `/files/${id}`],
        ['HEAD', `/files/${id}`],
      ] as const) {
        const res = await send(s, method, path, headers)
        assert.ok(
          res.status === 431 || (res.status === 0 && res.closed),
          `${method}: ${res.statusLine}`,
        )
      }
    }
    // a huge request line too
    const res = await send(s, 'HEAD', `/files/${'A'.repeat(20_000)}`, TUS_H)
    assert.ok(res.status === 431 || (res.status === 0 && res.closed), res.statusLine)
    assert.equal(await offsetOf(url), 0)
    // no byte stored: only the info file
    assert.deepEqual(await storeFiles(s), [`${id}.json`])
    await assertServerWorks(s)
  })
})

/** Collects what the server sends on `socket` until `done(text)` or close (bounded: 3 s). */
function readUntil(socket: Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    const finish = (): void => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', finish)
      resolve(text)
    }
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1')
      if (done(text)) finish()
    }
    const timer = setTimeout(finish, 3000)
    socket.on('data', onData)
    socket.on('close', finish)
  })
}

/** Waits (bounded: ~3 s) until the data file of `id` holds `size` bytes. */
async function waitForSize(s: TestServer, id: string, size: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await dataOf(s, id)).length >= size) return
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('Content-Length larger than the body, then close: the bytes received are kept', async () => {
  await withCanaries(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '100' })
    const socket = await openSocket(portOf(s))
    socket.on('error', () => undefined)
    try {
      socket.write(Buffer.concat([patchHead(portOf(s), id, 0, 100), Buffer.from('01234')]))
      await waitForSize(s, id, 5)
      socket.write('56789')
      await waitForSize(s, id, 10)
      // half-close: the server sees the body end 90 bytes early
      socket.end()
      const answer = await readUntil(socket, () => false)
      assert.ok(answer === '' || /^HTTP\/1\.1 4\d\d /.test(answer), answer)
    } finally {
      socket.destroy()
    }
    assert.equal(await offsetOf(url), 10)
    assert.equal((await dataOf(s, id)).toString(), '0123456789')
    const rest = await patch(url, 10, Buffer.alloc(90, 0x61))
    assert.equal(rest.status, 204)
    assert.equal(rest.headers.get('upload-offset'), '100')
    await assertServerWorks(s)
  })
})

test('Content-Length larger than the body, closed at once: offset stays exact', async () => {
  // Bytes Node received but the handler had not read yet may be dropped when the connection
  // dies (see the report); what must hold is that the offset is exactly what is on disk.
  await withCanaries(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '100' })
    const res = await rawRequest(
      portOf(s),
      [patchHead(portOf(s), id, 0, 100), Buffer.from('0123456789')],
      {
        end: true,
      },
    )
    assert.ok(res.status === 0 || (res.status >= 400 && res.status < 500), res.statusLine)
    const offset = await offsetOf(url)
    assert.ok(offset <= 10, `offset ${offset}`)
    assert.equal((await dataOf(s, id)).toString(), '0123456789'.slice(0, offset))
    const rest = await patch(url, offset, Buffer.alloc(100 - offset, 0x61))
    assert.equal(rest.status, 204)
    assert.equal(rest.headers.get('upload-offset'), '100')
    await assertServerWorks(s)
  })
})

test('Content-Length smaller than the body: only Content-Length bytes are taken', async () => {
  await withCanaries(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    const socket = await openSocket(portOf(s))
    socket.on('error', () => undefined)
    let answer: string
    try {
      socket.write(Buffer.concat([patchHead(portOf(s), id, 0, 5), Buffer.from('hello')]))
      const first = await readUntil(socket, (t) => t.includes('\r\n\r\n'))
      assert.match(first, /^HTTP\/1\.1 204 /)
      assert.match(first, /\r\nUpload-Offset: 5\r\n/i)
      // the surplus is parsed as the next request: garbage, refused, connection closed
      socket.write('EXTRA GARBAGE\r\n\r\n')
      answer = await readUntil(socket, () => false)
    } finally {
      socket.destroy()
    }
    assert.ok(answer === '' || /^HTTP\/1\.1 400 /.test(answer), answer)
    assert.equal(await offsetOf(url), 5)
    assert.equal((await dataOf(s, id)).toString(), 'hello')
    await assertServerWorks(s)
  })
})

test('Content-Length smaller than the body, in one packet: never more than Content-Length', async () => {
  await withCanaries(async (s) => {
    for (const close of [false, true]) {
      const { url, id } = await create(s, { 'Upload-Length': '10' })
      const headers: RawHeaders = [
        hostHeader(s),
        ...TUS_H,
        ['Content-Type', OCTET],
        ['Upload-Offset', '0'],
        ['Content-Length', '2'],
        ...(close ? [['Connection', 'close'] as const] : []),
      ]
      const res = await rawRequest(portOf(s), [
        requestHead('PATCH', `/files/${id}`, headers),
        Buffer.from('ab0123456789\r\n\r\n'),
      ])
      // Node may refuse the whole connection (400) once it sees the garbage that follows
      assert.ok(res.status === 204 || res.status === 400, res.statusLine)
      const offset = await offsetOf(url)
      assert.ok(offset <= 2, `offset ${offset}`)
      assert.equal((await dataOf(s, id)).toString(), 'ab'.slice(0, offset))
    }
    await assertServerWorks(s)
  })
})

test('repeated or conflicting framing and tus headers: 4xx, nothing written', async () => {
  await withCanaries(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '10' })
    const base: RawHeaders = [...TUS_H, ['Content-Type', OCTET]]
    const cases: Array<[string, RawHeaders]> = [
      [
        'Upload-Offset twice, same value',
        [...base, ['Upload-Offset', '0'], ['Upload-Offset', '0']],
      ],
      ['Upload-Offset twice, different', [...base, ['Upload-Offset', '0'], ['Upload-Offset', '5']]],
      ['Upload-Offset as a list', [...base, ['Upload-Offset', '0, 0']]],
      ['Tus-Resumable twice', [...base, ...TUS_H, ['Upload-Offset', '0']]],
      [
        'Content-Length twice, different',
        [...base, ['Upload-Offset', '0'], ['Content-Length', '4'], ['Content-Length', '2']],
      ],
      [
        'Content-Length and Transfer-Encoding',
        [
          ...base,
          ['Upload-Offset', '0'],
          ['Content-Length', '4'],
          ['Transfer-Encoding', 'chunked'],
        ],
      ],
      ['bad Transfer-Encoding', [...base, ['Upload-Offset', '0'], ['Transfer-Encoding', 'gzip']]],
      [
        'X-HTTP-Method-Override twice',
        [
          ...base,
          ['Upload-Offset', '0'],
          ['X-HTTP-Method-Override', 'PATCH'],
          ['X-HTTP-Method-Override', 'DELETE'],
        ],
      ],
    ]
    for (const [what, headers] of cases) {
      const method = what.startsWith('X-HTTP') ? 'POST' : 'PATCH'
      const res = await send(s, method, `/files/${id}`, headers, 'EVIL')
      assert4xx(res, what)
    }
    // repeated Upload-Length on creation
    const post = await send(s, 'POST', '/files', [
      ...TUS_H,
      ['Upload-Length', '5'],
      ['Upload-Length', '6'],
    ])
    assertRawTusError(post, 400)
    assert.equal(await offsetOf(url), 0)
    assert.equal((await dataOf(s, id)).length, 0)
    assert.deepEqual(await storeFiles(s), [id, `${id}.json`])
    await assertServerWorks(s)
  })
})

test('garbage that is not HTTP: the server answers 4xx or hangs up, and stays up', async () => {
  await withCanaries(async (s, canaries, root) => {
    const port = portOf(s)
    const garbage = [
      Buffer.from('\r\n\r\n'),
      Buffer.from('HELLO\r\n\r\n'),
      Buffer.from('PATCH /files/x HTTP/9.9\r\n\r\n'),
      Buffer.from('PATCH /files/../canary\r\n\r\n'),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      Buffer.from(
        `PATCH /files/x HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      ),
      Buffer.alloc(2048, 0),
    ]
    for (const g of garbage) {
      const res = await rawRequest(port, g, { timeoutMs: 500 })
      assert.ok(res.status === 0 || (res.status >= 400 && res.status < 500), res.statusLine)
    }
    await assertCanariesIntact(canaries, root)
    await assertServerWorks(s)
  })
})
