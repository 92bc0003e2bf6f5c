/**
 * IETF draft creation (interop 8 unless stated): POST with Upload-Complete, lengths, the 104
 * interim response on the wire, metadata from Content-Disposition / Content-Type.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startServer, withServer } from '../helpers/server.js'
import { V8, exchange, h, idOf, portOf, request, send, type FinalResponse } from './draft-client.js'

test('104 interim response: exact bytes, then the final 201 on the same keep-alive connection', async () => {
  await withServer(async (s) => {
    const port = portOf(s)
    const body = 'hello world'
    const ex = await exchange(port, [
      {
        method: 'POST',
        data: request('POST', '/files', [...V8, ['Upload-Complete', '?1']], body),
      },
      { method: 'OPTIONS', data: request('OPTIONS', '/files', V8) },
    ])
    assert.equal(ex.closed, false, 'the connection stays open')
    assert.equal(ex.responses.length, 2)
    const [created, options] = ex.responses as [FinalResponse, FinalResponse]
    assert.equal(created.interims.length, 1)
    const interim = created.interims[0]!
    const location = h(created, 'location')!
    assert.match(location, /^http:\/\/127\.0\.0\.1\/files\/[A-Za-z0-9_-]{22}$/)
    assert.equal(
      interim.head.toString('latin1'),
      'HTTP/1.1 104 Upload Resumption Supported\r\n' +
        `Location: ${location}\r\n` +
        'Upload-Draft-Interop-Version: 8\r\n' +
        'Upload-Limit: min-size=0\r\n' +
        '\r\n',
    )
    // The raw stream is exactly: interim block, final block, final body, next response.
    assert.ok(ex.raw.subarray(0, interim.head.length).equals(interim.head))
    assert.ok(
      ex.raw
        .subarray(interim.head.length)
        .toString('latin1')
        .startsWith('HTTP/1.1 201 Created\r\n'),
    )
    assert.equal(created.status, 201)
    assert.equal(h(created, 'upload-complete'), '?1')
    assert.equal(h(created, 'upload-offset'), '11')
    assert.equal(h(created, 'upload-length'), '11')
    assert.equal(h(created, 'upload-limit'), 'min-size=0')
    assert.equal(h(created, 'upload-draft-interop-version'), '8')
    assert.equal(h(created, 'tus-resumable'), undefined, 'no Tus-Resumable in the draft')
    assert.equal(options.status, 204)
    assert.equal(options.interims.length, 0)
    assert.equal(await readFile(join(s.directory, idOf(created)), 'utf8'), body)
  })
})

test('Expect: 100-continue: 100 Continue first, then 104, then the final response', async () => {
  const s = await startServer()
  const { openSocket } = await import('../helpers/raw-http.js')
  const socket = await openSocket(portOf(s))
  try {
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    const text = (): string => Buffer.concat(chunks).toString('latin1')
    socket.write(
      'POST /files HTTP/1.1\r\nHost: 127.0.0.1\r\nUpload-Draft-Interop-Version: 8\r\n' +
        'Upload-Complete: ?1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
    )
    const deadline = Date.now() + 3000
    while (!text().includes('\r\n\r\nHTTP/1.1 104') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.ok(
      text().startsWith(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 104 Upload Resumption Supported\r\n',
      ),
      text(),
    )
    socket.write('hello')
    while (!text().includes('HTTP/1.1 201') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10))
    }
    const [, , final] = text().split(/(?=HTTP\/1\.1 )/)
    assert.match(final ?? '', /^HTTP\/1\.1 201 Created\r\n/)
    assert.match(final ?? '', /\r\nUpload-Complete: \?1\r\n/)
  } finally {
    socket.destroy()
    await s.close()
  }
})

test('no 104 without a supported interop version, nor to HTTP/1.0 clients, nor with ietfDraft: false', async () => {
  const s = await startServer()
  const off = await startServer({ ietfDraft: false })
  try {
    // tus 1.0 creation.
    let res = await send(portOf(s), 'POST', '/files', [
      ['Tus-Resumable', '1.0.0'],
      ['Upload-Length', '3'],
    ])
    assert.equal(res.status, 201)
    assert.equal(res.interims.length, 0)
    assert.equal(h(res, 'tus-resumable'), '1.0.0')
    // An unknown interop version is tus 1.0: no Tus-Resumable, so 412.
    for (const version of ['99', '2', 'abc', '8.0']) {
      res = await send(portOf(s), 'POST', '/files', [
        ['Upload-Draft-Interop-Version', version],
        ['Upload-Complete', '?0'],
      ])
      assert.equal(res.status, 412, version)
      assert.equal(res.interims.length, 0)
      assert.equal(h(res, 'tus-resumable'), '1.0.0')
    }
    // The option off: a draft request is a tus request.
    res = await send(portOf(off), 'POST', '/files', [...V8, ['Upload-Complete', '?0']])
    assert.equal(res.status, 412)
    assert.equal(res.interims.length, 0)
    // HTTP/1.0: created, but no interim response.
    const { rawRequest } = await import('../helpers/raw-http.js')
    const raw = await rawRequest(
      portOf(s),
      Buffer.from(
        'POST /files HTTP/1.0\r\nHost: 127.0.0.1\r\nUpload-Draft-Interop-Version: 8\r\n' +
          'Upload-Complete: ?1\r\nContent-Length: 2\r\n\r\nhi',
      ),
    )
    assert.equal(raw.status, 201)
    assert.ok(!raw.raw.toString('latin1').includes(' 104 '))
  } finally {
    await s.close()
    await off.close()
  }
})

test('empty creation with Upload-Complete: ?0 and Upload-Length', async () => {
  await withServer(async (s) => {
    const res = await send(portOf(s), 'POST', '/files', [
      ...V8,
      ['Upload-Complete', '?0'],
      ['Upload-Length', '100'],
    ])
    assert.equal(res.status, 201)
    assert.equal(res.interims.length, 1)
    assert.equal(h(res.interims[0]!, 'location'), h(res, 'location'))
    assert.equal(h(res, 'upload-complete'), '?0')
    assert.equal(h(res, 'upload-offset'), '0')
    assert.equal(h(res, 'upload-length'), '100')
    const stored = await s.store.get(idOf(res))
    assert.equal(stored.size, 100)
    assert.equal(stored.offset, 0)
  })
})

test('creation without a length defers it; a chunked ?1 body sets it when it ends', async () => {
  await withServer(async (s) => {
    let res = await send(portOf(s), 'POST', '/files', [...V8, ['Upload-Complete', '?0']])
    assert.equal(res.status, 201)
    assert.equal(h(res, 'upload-length'), undefined)
    assert.equal((await s.store.get(idOf(res))).size, undefined)

    const { chunked } = await import('../helpers/raw-http.js')
    res = await send(
      portOf(s),
      'POST',
      '/files',
      [...V8, ['Upload-Complete', '?1'], ['Transfer-Encoding', 'chunked']],
      chunked(['hello ', 'chunked ', 'world']),
    )
    assert.equal(res.status, 201)
    assert.equal(h(res, 'upload-complete'), '?1')
    assert.equal(h(res, 'upload-length'), '19')
    assert.equal(h(res, 'upload-offset'), '19')
    assert.equal(await readFile(join(s.directory, idOf(res)), 'utf8'), 'hello chunked world')
  })
})

test('inconsistent lengths on creation: 400 inconsistent-upload-length problem, nothing created', async () => {
  await withServer(async (s) => {
    const cases: Array<[ReadonlyArray<readonly [string, string]>, string]> = [
      [
        [
          ['Upload-Complete', '?1'],
          ['Upload-Length', '5'],
        ],
        'hello world',
      ],
      [
        [
          ['Upload-Complete', '?0'],
          ['Upload-Length', '5'],
        ],
        'hello world',
      ],
    ]
    for (const [headers, body] of cases) {
      const res = await send(portOf(s), 'POST', '/files', [...V8, ...headers], body)
      assert.equal(res.status, 400)
      assert.equal(res.interims.length, 0, 'no 104: nothing was created')
      const { problemOf, PROBLEM } = await import('./draft-client.js')
      const problem = problemOf(res)
      assert.equal(problem['type'], `${PROBLEM}inconsistent-upload-length`)
      assert.equal(problem['status'], 400)
      assert.equal(typeof problem['title'], 'string')
      assert.equal(h(res, 'content-length'), String(res.body.length))
      assert.equal(h(res, 'tus-resumable'), undefined)
    }
    const { readdir } = await import('node:fs/promises')
    assert.deepEqual(await readdir(s.directory), [])
  })
})

test('malformed or missing draft fields on creation: 400', async () => {
  await withServer(async (s) => {
    const cases: Array<ReadonlyArray<readonly [string, string]>> = [
      [], // no Upload-Complete
      [['Upload-Complete', 'true']],
      [['Upload-Complete', '1']],
      [['Upload-Complete', '?2']],
      [
        ['Upload-Complete', '?0'],
        ['Upload-Length', '-1'],
      ],
      [
        ['Upload-Complete', '?0'],
        ['Upload-Length', 'abc'],
      ],
      [
        ['Upload-Complete', '?0'],
        ['Upload-Length', '1.5'],
      ],
      [
        ['Upload-Complete', '?0'],
        ['Upload-Length', '"5"'],
      ],
    ]
    for (const headers of cases) {
      const res = await send(portOf(s), 'POST', '/files', [...V8, ...headers])
      assert.equal(res.status, 400, JSON.stringify(headers))
      assert.match(h(res, 'content-type') ?? '', /^text\/plain/)
      assert.match(
        res.body.toString(),
        /^ERR_INVALID_(UPLOAD_COMPLETE|UPLOAD_LENGTH): [^\n]+\n$/,
        'the code first, as for tus',
      )
      assert.equal(h(res, 'tus-resumable'), undefined)
      assert.equal(h(res, 'upload-draft-interop-version'), '8')
    }
    // Parameters on an Item are allowed and ignored.
    const res = await send(portOf(s), 'POST', '/files', [
      ...V8,
      ['Upload-Complete', '?0;x=1'],
      ['Upload-Length', '7;unit=bytes'],
    ])
    assert.equal(res.status, 201)
    assert.equal(h(res, 'upload-length'), '7')
  })
})

test('draft integers past 15 digits and lengths past 999999999999999: "too large", not malformed', async () => {
  await withServer(async (s) => {
    const limit = '(more than 999999999999999, the most a structured-field Integer carries)'
    for (const value of ['1234567890123456', '9007199254740993', '9'.repeat(40)]) {
      const res = await send(portOf(s), 'POST', '/files', [
        ...V8,
        ['Upload-Complete', '?0'],
        ['Upload-Length', value],
      ])
      assert.equal(res.status, 413, value)
      assert.equal(
        res.body.toString(),
        `ERR_UPLOAD_LENGTH_TOO_LARGE: Upload-Length is too large ${limit}\n`,
      )
      assert.equal(h(res, 'upload-limit'), 'min-size=0', 'a 413 carries Upload-Limit')
      assert.equal(res.interims.length, 0)
    }
    // Content-Length: a safe integer for JavaScript, but past what the fields can carry.
    const big = await send(portOf(s), 'POST', '/files', [
      ...V8,
      ['Upload-Complete', '?1'],
      ['Content-Length', '1000000000000000'],
    ])
    assert.equal(big.status, 413)
    assert.equal(
      big.body.toString(),
      `ERR_CONTENT_LENGTH_TOO_LARGE: Content-Length is too large ${limit}\n`,
    )
    const { readdir } = await import('node:fs/promises')
    assert.deepEqual(await readdir(s.directory), [], 'nothing created')

    const created = await send(
      portOf(s),
      'POST',
      '/files',
      [...V8, ['Upload-Complete', '?0']],
      'hello',
    )
    assert.equal(created.status, 201)
    const path = new URL(h(created, 'location') ?? '').pathname
    const patch = (headers: ReadonlyArray<readonly [string, string]>) =>
      send(portOf(s), 'PATCH', path, [
        ...V8,
        ['Content-Type', 'application/partial-upload'],
        ...headers,
      ])
    const offset = await patch([
      ['Upload-Offset', '1234567890123456'],
      ['Upload-Complete', '?0'],
    ])
    assert.equal(offset.status, 400)
    assert.equal(
      offset.body.toString(),
      `ERR_OFFSET_TOO_LARGE: Upload-Offset is too large ${limit}\n`,
    )
    // Offset 5 plus 999999999999999 bytes would end past the largest length or offset.
    for (const complete of ['?1', '?0']) {
      const end = await patch([
        ['Upload-Offset', '5'],
        ['Upload-Complete', complete],
        ['Content-Length', '999999999999999'],
      ])
      assert.equal(end.status, 413)
      assert.match(end.body.toString(), /^ERR_UPLOAD_LENGTH_TOO_LARGE: the upload is too large /)
    }
    const head = await send(portOf(s), 'HEAD', path, V8)
    assert.equal(h(head, 'upload-offset'), '5', 'nothing written')
  })
})

test('maxSize: Upload-Limit max-size on 104, 201 and OPTIONS; 413 with Upload-Limit', async () => {
  await withServer({ maxSize: 10 }, async (s) => {
    let res = await send(portOf(s), 'POST', '/files', [...V8, ['Upload-Complete', '?1']], 'hi')
    assert.equal(res.status, 201)
    assert.equal(h(res.interims[0]!, 'upload-limit'), 'max-size=10')
    assert.equal(h(res, 'upload-limit'), 'max-size=10')
    res = await send(portOf(s), 'POST', '/files', [
      ...V8,
      ['Upload-Complete', '?0'],
      ['Upload-Length', '11'],
    ])
    assert.equal(res.status, 413)
    assert.equal(h(res, 'upload-limit'), 'max-size=10')
    assert.equal(res.interims.length, 0)
    res = await send(
      portOf(s),
      'POST',
      '/files',
      [...V8, ['Upload-Complete', '?1']],
      'x'.repeat(11),
    )
    assert.equal(res.status, 413)
    assert.equal(h(res, 'upload-limit'), 'max-size=10')
    res = await send(portOf(s), 'OPTIONS', '/files', V8)
    assert.equal(h(res, 'upload-limit'), 'max-size=10')
  })
})

test('filename and type from Content-Disposition and Content-Type: one metadata model', async () => {
  const seen: unknown[] = []
  const s = await startServer({
    onUploadCreate(_req, upload) {
      seen.push(upload.metadata)
    },
  })
  try {
    const res = await send(
      portOf(s),
      'POST',
      '/files',
      [
        ...V8,
        ['Upload-Complete', '?1'],
        ['Content-Type', 'image/png'],
        [
          'Content-Disposition',
          `attachment; filename="fallback.png"; filename*=UTF-8''%C3%A4pfel.png`,
        ],
      ],
      'PNGDATA',
    )
    assert.equal(res.status, 201)
    const id = idOf(res)
    const expected = { filename: 'äpfel.png', filetype: 'image/png' }
    assert.deepEqual(seen, [expected])
    assert.deepEqual((await s.store.get(id)).metadata, expected)
    // tus HEAD shows them as Upload-Metadata; GET serves them.
    const head = await send(portOf(s), 'HEAD', `/files/${id}`, [['Tus-Resumable', '1.0.0']])
    const pairs = (h(head, 'upload-metadata') ?? '').split(',').sort()
    assert.deepEqual(pairs, [
      `filename ${Buffer.from('äpfel.png').toString('base64')}`,
      `filetype ${Buffer.from('image/png').toString('base64')}`,
    ])
    const get = await fetch(`${s.endpoint}/${id}`)
    assert.equal(get.headers.get('content-type'), 'image/png')
    assert.match(get.headers.get('content-disposition') ?? '', /^inline; filename=/)
    assert.equal(await get.text(), 'PNGDATA')

    // A plain filename; framing types are not file types; tus-js-client's Upload-Metadata.
    const res2 = await send(
      portOf(s),
      'POST',
      '/files',
      [
        ['Upload-Draft-Interop-Version', '6'],
        ['Upload-Complete', '?0'],
        ['Upload-Length', '3'],
        ['Content-Type', 'application/partial-upload'],
        ['Content-Disposition', 'attachment; filename=plain.txt'],
        ['Upload-Metadata', `filetype ${Buffer.from('text/plain').toString('base64')},note`],
      ],
      'abc',
    )
    assert.equal(res2.status, 201)
    assert.deepEqual((await s.store.get(idOf(res2))).metadata, {
      filetype: 'text/plain',
      note: null,
      filename: 'plain.txt',
    })
  } finally {
    await s.close()
  }
})

test('any content-bearing request to the creation URL with Upload-Complete creates (PUT)', async () => {
  await withServer(async (s) => {
    const res = await send(portOf(s), 'PUT', '/files', [...V8, ['Upload-Complete', '?1']], 'put!')
    assert.equal(res.status, 201)
    assert.equal(h(res, 'upload-complete'), '?1')
    assert.equal(await readFile(join(s.directory, idOf(res)), 'utf8'), 'put!')
    // Without Upload-Complete a PUT is not a creation.
    const other = await send(portOf(s), 'PUT', '/files', V8, 'x')
    assert.equal(other.status, 405)
  })
})

test('a 0-byte complete creation finishes at once: onUploadFinish and finished, once', async () => {
  let hooks = 0
  const s = await startServer({
    onUploadFinish() {
      hooks++
    },
  })
  let events = 0
  s.handler.events.on('finished', () => events++)
  try {
    const res = await send(portOf(s), 'POST', '/files', [...V8, ['Upload-Complete', '?1']], '')
    assert.equal(res.status, 201)
    assert.equal(h(res, 'upload-complete'), '?1')
    assert.equal(h(res, 'upload-length'), '0')
    assert.equal(hooks, 1)
    assert.equal(events, 1)
  } finally {
    await s.close()
  }
})
