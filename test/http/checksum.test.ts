/**
 * tus `checksum` and `checksum-trailer` over real HTTP (checklist CK-01..CK-08, CT-01..CT-03):
 * a checksummed PATCH or creation-with-upload POST is all or nothing, verified after the whole
 * body, staged in `<id>.chunk` meanwhile.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import * as zlib from 'node:zlib'
import { storedSize } from '../helpers/files.js'
import { withServer, type TestServer } from '../helpers/server.js'
import {
  openSocket,
  rawRequest,
  requestHead,
  writeAll,
  type RawHeaders,
} from '../helpers/raw-http.js'
import {
  OCTET,
  TUS,
  assertRawTusError,
  assertTusError,
  chunkedPatch,
  create,
  dataOf,
  head,
  idOf,
  offsetOf,
  patch,
  portOf,
  storeFiles,
} from './tus-client.js'

/** `Upload-Checksum` value for `data`. */
function sum(algorithm: string, data: string | Buffer): string {
  return `${algorithm} ${createHash(algorithm).update(data).digest('base64')}`
}

/** The store folder holds exactly the upload's data and info files: no staging left over. */
async function assertNoStaging(s: TestServer): Promise<void> {
  const leftovers = (await storeFiles(s)).filter((f) => /\.(chunk|commit)$|\.tmp$/.test(f))
  assert.deepEqual(leftovers, [], 'no staging file or commit marker is left')
}

/** All or nothing, and nothing so far: offset 0, an empty data file, no staging left over. */
async function assertNothingStored(
  s: TestServer,
  url: string,
  id: string,
  offsetMessage?: string,
): Promise<void> {
  assert.equal(await offsetOf(url), 0, offsetMessage)
  assert.equal((await dataOf(s, id)).length, 0)
  await assertNoStaging(s)
}

test('CK-01: OPTIONS advertises checksum, checksum-trailer and Tus-Checksum-Algorithm', async () => {
  await withServer(async (s) => {
    const res = await fetch(s.endpoint, { method: 'OPTIONS' })
    assert.equal(res.status, 204)
    const extensions = (res.headers.get('tus-extension') ?? '').split(',')
    assert.ok(extensions.includes('checksum'), 'checksum advertised')
    assert.ok(extensions.includes('checksum-trailer'), 'checksum-trailer advertised')
    const algorithms = (res.headers.get('tus-checksum-algorithm') ?? '').split(',')
    assert.equal(algorithms[0], 'sha1', 'sha1 first')
    for (const a of ['sha1', 'md5', 'sha256', 'sha512']) assert.ok(algorithms.includes(a), a)
    for (const a of algorithms) assert.match(a, /^[a-z0-9]+$/, 'lower-case tokens')
    assert.equal(new Set(algorithms).size, algorithms.length, 'no duplicates')
  })
})

test('CK-02/CK-03: sha1 of "hello world" (the tus example) -> 204, Upload-Offset 11', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const res = await patch(url, 0, 'hello world', {
      'Upload-Checksum': 'sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=',
    })
    assert.equal(res.status, 204, await res.text())
    assert.equal(res.headers.get('upload-offset'), '11')
    assert.equal(await offsetOf(url), 11)
    assert.equal((await dataOf(s, id)).toString(), 'hello world')
    await assertNoStaging(s)
  })
})

test('CK-04: wrong digest -> 460, offset and data file unchanged, then a retry succeeds', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    assert.equal(
      (await patch(url, 0, 'hello', { 'Upload-Checksum': sum('sha1', 'hello') })).status,
      204,
    )
    const before = await dataOf(s, id)
    for (const algorithm of ['sha1', 'md5', 'sha256', 'sha512']) {
      const res = await patch(url, 5, ' world', { 'Upload-Checksum': sum(algorithm, ' WORLD') })
      const reason = await assertTusError(res, 460, 'PATCH')
      assert.match(reason, /checksum/i)
      assert.equal(res.statusText, 'Checksum Mismatch')
      assert.equal(await offsetOf(url), 5, `${algorithm}: HEAD offset unchanged`)
      assert.deepEqual(await dataOf(s, id), before, `${algorithm}: data file unchanged`)
      await assertNoStaging(s)
    }
    const retry = await patch(url, 5, ' world', { 'Upload-Checksum': sum('sha1', ' world') })
    assert.equal(retry.status, 204)
    assert.equal(retry.headers.get('upload-offset'), '11')
    assert.equal((await dataOf(s, id)).toString(), 'hello world')
  })
})

test('CK-05: an unknown algorithm -> 400 before anything is read, offset unchanged', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    for (const value of ['foo123 xxxx', 'sha3 Kq5sNclPz7QV2+lfQIuc6R7oRu0=', 'sha224 AAAA']) {
      const res = await patch(url, 0, 'hello world', { 'Upload-Checksum': value })
      const reason = await assertTusError(res, 400, 'PATCH')
      assert.match(reason, /not supported/)
    }
    await assertNothingStored(s, url, id)
  })
})

test('CK-06: malformed Upload-Checksum (no space, bad Base64, wrong length, case) -> 400', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const good = createHash('sha1').update('hello world').digest('base64')
    for (const value of [
      `sha1${good}`,
      'sha1',
      `sha1  ${good}`,
      'sha1 !!!notbase64!!!',
      `sha1 ${good.slice(0, -1)}`,
      `sha1 ${createHash('md5').update('hello world').digest('base64')}`,
      `sha256 ${good}`,
      `SHA1 ${good}`,
    ]) {
      const res = await patch(url, 0, 'hello world', { 'Upload-Checksum': value })
      await assertTusError(res, 400, 'PATCH')
    }
    // A repeated header is ambiguous.
    const port = portOf(s)
    const res = await rawRequest(port, [
      requestHead('PATCH', `/files/${id}`, [
        ['Host', `127.0.0.1:${port}`],
        ['Tus-Resumable', '1.0.0'],
        ['Content-Type', OCTET],
        ['Upload-Offset', '0'],
        ['Upload-Checksum', `sha1 ${good}`],
        ['Upload-Checksum', `sha1 ${good}`],
        ['Content-Length', '11'],
        ['Connection', 'close'],
      ]),
      Buffer.from('hello world'),
    ])
    assertRawTusError(res, 400)
    await assertNothingStored(s, url, id)
  })
})

test('every advertised algorithm verifies, chunk after chunk', async () => {
  await withServer(async (s) => {
    const options = await fetch(s.endpoint, { method: 'OPTIONS' })
    const algorithms = (options.headers.get('tus-checksum-algorithm') ?? '').split(',')
    const chunks = algorithms.map(() => randomBytes(1000 + Math.floor(Math.random() * 1000)))
    const total = chunks.reduce((n, c) => n + c.length, 0)
    const { url, id } = await create(s, { 'Upload-Length': String(total) })
    let offset = 0
    for (const [i, algorithm] of algorithms.entries()) {
      const chunk = chunks[i] ?? Buffer.alloc(0)
      const value = algorithm === 'crc32' ? crc32Header(chunk) : sum(algorithm, chunk)
      const res = await patch(url, offset, chunk, { 'Upload-Checksum': value })
      assert.equal(res.status, 204, `${algorithm}: ${await res.text()}`)
      offset += chunk.length
      assert.equal(res.headers.get('upload-offset'), String(offset))
    }
    assert.deepEqual(await dataOf(s, id), Buffer.concat(chunks))
    await assertNoStaging(s)
  })
})

/** `crc32 <base64 of the big-endian CRC>`; only called when the server offers crc32. */
function crc32Header(data: Buffer): string {
  const crc32 = (zlib as { crc32?: (d: Buffer) => number }).crc32
  assert.ok(crc32, 'crc32 is offered only where zlib has it')
  const out = Buffer.alloc(4)
  out.writeUInt32BE(crc32(data) >>> 0)
  return `crc32 ${out.toString('base64')}`
}

test('an empty body with a checksum: verified too (204 on a match, 460 otherwise)', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const empty = new Uint8Array(0)
    const ok = await patch(url, 0, empty, {
      'Upload-Checksum': sum('sha1', ''),
      'Content-Type': OCTET,
    })
    assert.equal(ok.status, 204, await ok.text())
    assert.equal(ok.headers.get('upload-offset'), '0')
    const bad = await patch(url, 0, empty, {
      'Upload-Checksum': sum('sha1', 'x'),
      'Content-Type': OCTET,
    })
    await assertTusError(bad, 460, 'PATCH')
    await assertNothingStored(s, url, id)
  })
})

test('CK-07: a body longer than the upload with a checksum -> 413 and nothing stored', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '5' })
    // chunked, so the length is only discovered while the bytes arrive
    const res = await chunkedPatch(
      s,
      id,
      0,
      ['hel', 'lo world'],
      [['Upload-Checksum', sum('sha1', 'hello world')]],
      [],
    )
    assertRawTusError(res, 413)
    await assertNothingStored(s, url, id, 'all or nothing: not even the first 5 bytes')
  })
})

test('CK-07: a checksummed PATCH cut off mid-body stores nothing; the retry succeeds', async () => {
  await withServer(async (s) => {
    const total = 1_000_000
    const data = randomBytes(total)
    const { url, id } = await create(s, { 'Upload-Length': String(total + 5) })
    assert.equal(
      (await patch(url, 0, 'start', { 'Upload-Checksum': sum('md5', 'start') })).status,
      204,
    )
    const port = portOf(s)
    const socket = await openSocket(port)
    socket.on('error', () => undefined)
    let staged = 0
    try {
      await writeAll(
        socket,
        requestHead('PATCH', `/files/${id}`, [
          ['Host', `127.0.0.1:${port}`],
          ['Tus-Resumable', '1.0.0'],
          ['Content-Type', OCTET],
          ['Upload-Offset', '5'],
          ['Upload-Checksum', sum('sha256', data)],
          ['Content-Length', String(total)],
        ]),
      )
      await writeAll(socket, data.subarray(0, 400_000))
      // The bytes go to the staging file, never to the data file.
      for (let i = 0; i < 300 && staged === 0; i++) {
        staged = await storedSize(join(s.directory, `${id}.chunk`))
        if (staged === 0) await new Promise((r) => setTimeout(r, 10))
      }
      assert.ok(staged > 0, 'the body is staged in <id>.chunk')
      assert.equal((await dataOf(s, id)).toString(), 'start', 'data file untouched meanwhile')
    } finally {
      socket.destroy()
    }
    assert.equal(await offsetOf(url), 5, 'offset unchanged after the disconnect')
    assert.equal((await dataOf(s, id)).toString(), 'start')
    await assertNoStaging(s)

    const retry = await patch(url, 5, data, { 'Upload-Checksum': sum('sha256', data) })
    assert.equal(retry.status, 204, await retry.text())
    assert.equal(retry.headers.get('upload-offset'), String(total + 5))
    assert.deepEqual(await dataOf(s, id), Buffer.concat([Buffer.from('start'), data]))
  })
})

test('CK-08: creation-with-upload verifies the body the same way', async () => {
  await withServer(async (s) => {
    const post = (checksum: string, body = 'hello world') =>
      fetch(s.endpoint, {
        method: 'POST',
        headers: {
          ...TUS,
          'Upload-Length': '11',
          'Content-Type': OCTET,
          'Upload-Checksum': checksum,
        },
        body,
      })
    const ok = await post(sum('sha256', 'hello world'))
    assert.equal(ok.status, 201, await ok.text())
    assert.equal(ok.headers.get('upload-offset'), '11')
    const okId = idOf(ok.headers.get('location') ?? '')
    assert.equal((await dataOf(s, okId)).toString(), 'hello world')

    // A mismatch: the upload exists (Location given) but holds nothing.
    const bad = await post(sum('sha256', 'HELLO WORLD'))
    await assertTusError(bad, 460, 'POST')
    const location = bad.headers.get('location')
    assert.ok(location, 'Location on a 460 so the client can retry with PATCH')
    const badId = idOf(location)
    assert.equal(await offsetOf(new URL(location, s.origin).href), 0)
    assert.equal((await dataOf(s, badId)).length, 0)

    // Malformed or unknown: refused before the upload is created.
    const files = await storeFiles(s)
    await assertTusError(await post('sha1 nope'), 400, 'POST')
    await assertTusError(await post('foo123 xxxx'), 400, 'POST')
    assert.deepEqual(await storeFiles(s), files, 'no upload created')
    await assertNoStaging(s)
  })
})

test('Upload-Checksum as both header and trailer -> 400, nothing stored', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const res = await chunkedPatch(
      s,
      id,
      0,
      ['hello world'],
      [
        ['Upload-Checksum', sum('sha1', 'hello world')],
        ['Trailer', 'Upload-Checksum'],
      ],
      [['Upload-Checksum', sum('sha1', 'hello world')]],
    )
    assertRawTusError(res, 400)
    assert.equal(await offsetOf(url), 0)
    assert.equal((await dataOf(s, id)).length, 0)
  })
})

test('CT-02: checksum in a trailer of a chunked PATCH: right -> 204, wrong -> 460', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '22' })
    const announce: RawHeaders = [['Trailer', 'Upload-Checksum']]
    const wrong = await chunkedPatch(s, id, 0, ['hello', ' world'], announce, [
      ['Upload-Checksum', sum('sha1', 'hello there')],
    ])
    assertRawTusError(wrong, 460)
    await assertNothingStored(s, url, id)

    const right = await chunkedPatch(s, id, 0, ['hello', ' world'], announce, [
      ['Upload-Checksum', sum('sha1', 'hello world')],
    ])
    assert.equal(right.status, 204, right.statusLine)
    assert.equal(right.headers['upload-offset']?.[0], '11')

    // The trailer may name any offered algorithm.
    const md5 = await chunkedPatch(
      s,
      id,
      11,
      ['HELLO', ' WORLD'],
      [['Trailer', 'upload-checksum']],
      [['upload-checksum', sum('md5', 'HELLO WORLD')]],
    )
    assert.equal(md5.status, 204, md5.statusLine)
    assert.equal(md5.headers['upload-offset']?.[0], '22')
    assert.equal((await dataOf(s, id)).toString(), 'hello worldHELLO WORLD')
    await assertNoStaging(s)
  })
})

test('CT-02: a malformed or unknown trailer checksum -> 400, nothing stored', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    for (const value of ['sha1 !!!', 'foo123 xxxx', 'sha1']) {
      const res = await chunkedPatch(
        s,
        id,
        0,
        ['hello world'],
        [['Trailer', 'Upload-Checksum']],
        [['Upload-Checksum', value]],
      )
      assertRawTusError(res, 400)
    }
    await assertNothingStored(s, url, id)
  })
})

test('CT-03: a trailer announced but never sent means no checksum: the bytes are stored', async () => {
  await withServer(async (s) => {
    const { url, id } = await create(s, { 'Upload-Length': '11' })
    const res = await chunkedPatch(
      s,
      id,
      0,
      ['hello', ' world'],
      [['Trailer', 'Upload-Checksum']],
      [],
    )
    assert.equal(res.status, 204, res.statusLine)
    assert.equal(res.headers['upload-offset']?.[0], '11')
    assert.equal(await offsetOf(url), 11)
    assert.equal((await dataOf(s, id)).toString(), 'hello world')
    await assertNoStaging(s)
  })
})
