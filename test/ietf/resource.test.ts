/** IETF draft HEAD, OPTIONS, DELETE, GET, CORS, expiry, and the two dialects on one upload. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, withServer } from '../helpers/server.js'
import { h, idOf, portOf, send, V8 } from './draft-client.js'

const TUS: ReadonlyArray<readonly [string, string]> = [['Tus-Resumable', '1.0.0']]

test('HEAD: 204, Upload-Offset, Upload-Complete, Upload-Length, Upload-Limit, no-store; no tus headers', async () => {
  await withServer(async (s) => {
    const created = await send(
      portOf(s),
      'POST',
      '/files',
      [...V8, ['Upload-Complete', '?0'], ['Upload-Length', '10']],
      'abc',
    )
    const id = idOf(created)
    let res = await send(portOf(s), 'HEAD', `/files/${id}`, V8)
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-offset'), '3')
    assert.equal(h(res, 'upload-complete'), '?0')
    assert.equal(h(res, 'upload-length'), '10')
    assert.equal(h(res, 'upload-limit'), 'min-size=0')
    assert.equal(h(res, 'cache-control'), 'no-store')
    assert.equal(h(res, 'tus-resumable'), undefined)
    assert.equal(h(res, 'upload-metadata'), undefined)
    // Unknown length: no Upload-Length.
    const deferred = idOf(
      await send(portOf(s), 'POST', '/files', [...V8, ['Upload-Complete', '?0']]),
    )
    res = await send(portOf(s), 'HEAD', `/files/${deferred}`, V8)
    assert.equal(h(res, 'upload-length'), undefined)
    assert.equal(h(res, 'upload-offset'), '0')
    // Unknown upload: 404, no tus headers.
    res = await send(portOf(s), 'HEAD', '/files/doesnotexist', V8)
    assert.equal(res.status, 404)
    assert.equal(h(res, 'tus-resumable'), undefined)
    assert.equal(h(res, 'upload-offset'), undefined)
  })
})

test('OPTIONS: Upload-Limit min-size=0 without limits, Accept-Patch; the tus OPTIONS is unchanged', async () => {
  await withServer(async (s) => {
    let res = await send(portOf(s), 'OPTIONS', '/files', V8)
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-limit'), 'min-size=0')
    assert.equal(h(res, 'accept-patch'), 'application/partial-upload')
    assert.equal(h(res, 'tus-resumable'), undefined)
    assert.equal(h(res, 'tus-version'), undefined)
    res = await send(portOf(s), 'OPTIONS', '/files', [])
    assert.equal(h(res, 'tus-resumable'), '1.0.0')
    assert.equal(h(res, 'tus-version'), '1.0.0')
    assert.equal(h(res, 'upload-limit'), undefined)
  })
})

test('DELETE removes the upload; GET downloads it', async () => {
  await withServer(async (s) => {
    const id = idOf(
      await send(portOf(s), 'POST', '/files', [...V8, ['Upload-Complete', '?1']], 'bytes'),
    )
    let res = await send(portOf(s), 'GET', `/files/${id}`, V8)
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), 'bytes')
    res = await send(portOf(s), 'DELETE', `/files/${id}`, V8)
    assert.equal(res.status, 204)
    assert.equal(h(res, 'tus-resumable'), undefined)
    res = await send(portOf(s), 'HEAD', `/files/${id}`, V8)
    assert.equal(res.status, 404)
  })
})

test('cross-dialect: created with tus, inspected and finished with the draft', async () => {
  await withServer(async (s) => {
    const created = await send(portOf(s), 'POST', '/files', [
      ...TUS,
      ['Upload-Length', '11'],
      ['Upload-Metadata', `filename ${Buffer.from('a.txt').toString('base64')}`],
    ])
    const id = idOf(created)
    let res = await send(
      portOf(s),
      'PATCH',
      `/files/${id}`,
      [...TUS, ['Content-Type', 'application/offset+octet-stream'], ['Upload-Offset', '0']],
      'hello',
    )
    assert.equal(res.status, 204)
    res = await send(portOf(s), 'HEAD', `/files/${id}`, V8)
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-offset'), '5')
    assert.equal(h(res, 'upload-length'), '11')
    assert.equal(h(res, 'upload-complete'), '?0')
    res = await send(
      portOf(s),
      'PATCH',
      `/files/${id}`,
      [
        ...V8,
        ['Content-Type', 'application/partial-upload'],
        ['Upload-Offset', '5'],
        ['Upload-Complete', '?1'],
      ],
      ' world',
    )
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-complete'), '?1')
    res = await send(portOf(s), 'HEAD', `/files/${id}`, TUS)
    assert.equal(res.status, 200)
    assert.equal(h(res, 'upload-offset'), '11')
    assert.equal(h(res, 'upload-metadata'), `filename ${Buffer.from('a.txt').toString('base64')}`)
  })
})

test('cross-dialect: created with the draft, inspected and finished with tus', async () => {
  await withServer(async (s) => {
    const created = await send(
      portOf(s),
      'POST',
      '/files',
      [
        ...V8,
        ['Upload-Complete', '?0'],
        ['Upload-Length', '6'],
        ['Content-Type', 'text/plain'],
        ['Content-Disposition', 'attachment; filename="notes.txt"'],
      ],
      'abc',
    )
    const id = idOf(created)
    let res = await send(portOf(s), 'HEAD', `/files/${id}`, TUS)
    assert.equal(res.status, 200)
    assert.equal(h(res, 'tus-resumable'), '1.0.0')
    assert.equal(h(res, 'upload-offset'), '3')
    assert.equal(h(res, 'upload-length'), '6')
    const metadata = (h(res, 'upload-metadata') ?? '').split(',').sort()
    assert.deepEqual(metadata, [
      `filename ${Buffer.from('notes.txt').toString('base64')}`,
      `filetype ${Buffer.from('text/plain').toString('base64')}`,
    ])
    res = await send(
      portOf(s),
      'PATCH',
      `/files/${id}`,
      [...TUS, ['Content-Type', 'application/offset+octet-stream'], ['Upload-Offset', '3']],
      'def',
    )
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-offset'), '6')
    res = await send(portOf(s), 'HEAD', `/files/${id}`, V8)
    assert.equal(h(res, 'upload-complete'), '?1')
  })
})

test('CORS exposes and allows the draft headers', async () => {
  await withServer(async (s) => {
    let res = await send(portOf(s), 'OPTIONS', '/files', [
      ['Origin', 'https://app.example'],
      ['Access-Control-Request-Method', 'PATCH'],
    ])
    const allow = (h(res, 'access-control-allow-headers') ?? '').split(', ')
    for (const name of [
      'Upload-Complete',
      'Upload-Draft-Interop-Version',
      'Upload-Incomplete',
      'Upload-Offset',
      'Upload-Length',
      'Content-Type',
    ]) {
      assert.ok(allow.includes(name), name)
    }
    res = await send(portOf(s), 'POST', '/files', [
      ...V8,
      ['Upload-Complete', '?0'],
      ['Origin', 'https://app.example'],
    ])
    const expose = (h(res, 'access-control-expose-headers') ?? '').split(', ')
    for (const name of [
      'Location',
      'Upload-Offset',
      'Upload-Length',
      'Upload-Complete',
      'Upload-Limit',
      'Upload-Draft-Interop-Version',
      'Upload-Incomplete',
    ]) {
      assert.ok(expose.includes(name), name)
    }
  })
})

test('expiry: Upload-Limit max-age on unfinished uploads; an expired upload is 410', async () => {
  const s = await startServer({ expireAfter: 60_000 })
  try {
    const res = await send(portOf(s), 'POST', '/files', [
      ...V8,
      ['Upload-Complete', '?0'],
      ['Upload-Length', '5'],
    ])
    assert.match(h(res, 'upload-limit') ?? '', /^min-size=0, max-age=(59|60)$/)
    assert.match(h(res.interims[0]!, 'upload-limit') ?? '', /^min-size=0, max-age=(59|60)$/)
    const done = await send(portOf(s), 'POST', '/files', [...V8, ['Upload-Complete', '?1']], 'x')
    assert.equal(h(done, 'upload-limit'), 'min-size=0')
  } finally {
    await s.close()
  }
  const gone = await startServer({ expireAfter: 1 })
  try {
    const id = idOf(await send(portOf(gone), 'POST', '/files', [...V8, ['Upload-Complete', '?0']]))
    await new Promise((r) => setTimeout(r, 20))
    const res = await send(portOf(gone), 'HEAD', `/files/${id}`, V8)
    assert.equal(res.status, 410)
  } finally {
    await gone.close()
  }
})

test('method override and 405 in the draft', async () => {
  await withServer(async (s) => {
    const id = idOf(
      await send(portOf(s), 'POST', '/files', [
        ...V8,
        ['Upload-Complete', '?0'],
        ['Upload-Length', '2'],
      ]),
    )
    let res = await send(
      portOf(s),
      'POST',
      `/files/${id}`,
      [
        ...V8,
        ['X-HTTP-Method-Override', 'PATCH'],
        ['Content-Type', 'application/partial-upload'],
        ['Upload-Offset', '0'],
        ['Upload-Complete', '?1'],
      ],
      'ok',
    )
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-complete'), '?1')
    res = await send(portOf(s), 'GET', '/files', V8)
    assert.equal(res.status, 405)
    assert.equal(h(res, 'allow'), 'OPTIONS, POST, PUT, PATCH')
  })
})
