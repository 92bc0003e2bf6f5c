import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import * as zlib from 'node:zlib'
import {
  CHECKSUM_ALGORITHMS,
  announcesChecksumTrailer,
  createChecksumVerifier,
  createDigester,
  isSupportedChecksumAlgorithm,
  parseChecksum,
} from '../../src/protocol/checksum.js'
import { isTusError } from '../../src/model/errors.js'

const HELLO = Buffer.from('hello world')
const HAS_CRC32 = typeof (zlib as { crc32?: unknown }).crc32 === 'function'

function b64(algorithm: string, data: Buffer = HELLO): string {
  return createHash(algorithm).update(data).digest('base64')
}

function assertCode(fn: () => unknown, code: string, status = 400): void {
  assert.throws(fn, (err) => {
    assert.ok(isTusError(err), `expected a TusError, got ${String(err)}`)
    assert.equal(err.code, code)
    assert.equal(err.status, status)
    return true
  })
}

test('CHECKSUM_ALGORITHMS: sha1 first, lower case, crc32 only when zlib has it', () => {
  assert.equal(CHECKSUM_ALGORITHMS[0], 'sha1')
  for (const a of ['sha1', 'md5', 'sha256', 'sha512']) assert.ok(CHECKSUM_ALGORITHMS.includes(a))
  assert.equal(CHECKSUM_ALGORITHMS.includes('crc32'), HAS_CRC32)
  for (const a of CHECKSUM_ALGORITHMS) {
    assert.match(a, /^[a-z0-9]+$/)
    assert.ok(isSupportedChecksumAlgorithm(a))
  }
  assert.ok(!isSupportedChecksumAlgorithm('SHA1'))
  assert.ok(!isSupportedChecksumAlgorithm('sha3-256'))
})

test('parseChecksum: the tus example (sha1 of "hello world")', () => {
  const c = parseChecksum('sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=')
  assert.equal(c.algorithm, 'sha1')
  assert.deepEqual(c.digest, createHash('sha1').update(HELLO).digest())
})

test('parseChecksum: every supported algorithm with a digest of its length', () => {
  for (const algorithm of ['sha1', 'md5', 'sha256', 'sha512']) {
    const c = parseChecksum(`${algorithm} ${b64(algorithm)}`)
    assert.equal(c.algorithm, algorithm)
    assert.equal(c.digest.toString('base64'), b64(algorithm))
  }
  if (HAS_CRC32) {
    const c = parseChecksum('crc32 DUoRhQ==') // crc32("hello world") = 0x0d4a1185
    assert.equal(c.digest.readUInt32BE(0), 0x0d4a1185)
  }
})

test('parseChecksum: unknown or unsupported algorithm -> ERR_UNSUPPORTED_CHECKSUM', () => {
  for (const value of ['foo123 xxxx', 'sha3 AAAA', 'sha224 AAAA', 'blake2b512 AAAA']) {
    assertCode(() => parseChecksum(value), 'ERR_UNSUPPORTED_CHECKSUM')
  }
  if (!HAS_CRC32) assertCode(() => parseChecksum('crc32 DUoRhQ=='), 'ERR_UNSUPPORTED_CHECKSUM')
})

test('parseChecksum: malformed values -> ERR_INVALID_CHECKSUM', () => {
  const good = b64('sha1')
  const cases = [
    '', // empty
    'sha1', // no space, no digest
    `sha1${good}`, // no space
    `sha1  ${good}`, // two spaces
    ` sha1 ${good}`, // leading space
    `sha1 ${good} `, // trailing space
    `sha1 ${good} x`, // a third part
    `SHA1 ${good}`, // upper case algorithm
    `Sha1 ${good}`,
    `sh@1 ${good}`, // not a token
    'sha1 ', // empty digest
    'sha1 !!!!', // not Base64
    `sha1 ${good.slice(0, -1)}`, // truncated padding
    `sha1 ${good.replace('=', '')}`, // missing padding
    `sha1 ${Buffer.from(good).toString('base64url')}`, // base64url, not base64
    `sha1 ${b64('md5')}`, // a 16-byte digest for sha1
    `sha256 ${good}`, // a 20-byte digest for sha256
    `md5 ${b64('sha512')}`,
    `sha1 ${good}\n`,
  ]
  for (const value of cases) {
    assertCode(() => parseChecksum(value), 'ERR_INVALID_CHECKSUM')
  }
})

test('parseChecksum: a missing or repeated header is malformed', () => {
  assertCode(() => parseChecksum(undefined), 'ERR_INVALID_CHECKSUM')
  const good = `sha1 ${b64('sha1')}`
  assertCode(() => parseChecksum([good, good]), 'ERR_INVALID_CHECKSUM')
  assert.equal(parseChecksum([good]).algorithm, 'sha1')
})

test('announcesChecksumTrailer: case-insensitive, comma lists, repeated headers', () => {
  assert.equal(announcesChecksumTrailer(undefined), false)
  assert.equal(announcesChecksumTrailer(''), false)
  assert.equal(announcesChecksumTrailer('Upload-Checksum'), true)
  assert.equal(announcesChecksumTrailer('upload-checksum'), true)
  assert.equal(announcesChecksumTrailer('Expires, Upload-Checksum '), true)
  assert.equal(announcesChecksumTrailer(['Expires', 'UPLOAD-CHECKSUM']), true)
  assert.equal(announcesChecksumTrailer('Upload-Checksums'), false)
  assert.equal(announcesChecksumTrailer('Expires'), false)
})

test('createDigester: matches node:crypto across chunk boundaries; crc32 big-endian', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog')
  for (const algorithm of ['sha1', 'md5', 'sha256', 'sha512']) {
    const d = createDigester(algorithm)
    d.update(data.subarray(0, 7))
    d.update(data.subarray(7))
    assert.deepEqual(d.digest(), createHash(algorithm).update(data).digest(), algorithm)
  }
  if (HAS_CRC32) {
    const d = createDigester('crc32')
    d.update(data.subarray(0, 10))
    d.update(data.subarray(10))
    assert.equal(d.digest().toString('hex'), '414fa339') // the well-known crc32 of this line
    assert.equal(createDigester('crc32').digest().toString('hex'), '00000000')
  }
  assertCode(() => createDigester('foo'), 'ERR_UNSUPPORTED_CHECKSUM')
})

test('createChecksumVerifier: match, mismatch (460), no checksum after all, bad trailer', () => {
  const sha1 = parseChecksum(`sha1 ${b64('sha1')}`)
  const ok = createChecksumVerifier({ algorithms: ['sha1'], expected: () => sha1 })
  ok.update(Buffer.from('hello '))
  ok.update(Buffer.from('world'))
  ok.verify()

  const bad = createChecksumVerifier({ algorithms: ['sha1'], expected: () => sha1 })
  bad.update(Buffer.from('hello there'))
  assertCode(() => bad.verify(), 'ERR_CHECKSUM_MISMATCH', 460)

  const none = createChecksumVerifier({
    algorithms: [...CHECKSUM_ALGORITHMS],
    expected: () => undefined,
  })
  none.update(HELLO)
  none.verify()

  // Trailer mode: every algorithm is computed, the trailer picks one.
  for (const algorithm of ['md5', 'sha512']) {
    const v = createChecksumVerifier({
      algorithms: CHECKSUM_ALGORITHMS,
      expected: () => parseChecksum(`${algorithm} ${b64(algorithm)}`),
    })
    v.update(HELLO)
    v.verify()
  }
  const malformed = createChecksumVerifier({
    algorithms: CHECKSUM_ALGORITHMS,
    expected: () => parseChecksum('sha1 nope'),
  })
  malformed.update(HELLO)
  assertCode(() => malformed.verify(), 'ERR_INVALID_CHECKSUM')

  // An expected algorithm that was not computed cannot be checked.
  const other = createChecksumVerifier({ algorithms: ['md5'], expected: () => sha1 })
  assertCode(() => other.verify(), 'ERR_UNSUPPORTED_CHECKSUM')
})
