/**
 * Property-based fuzzing of the pure protocol layer (src/protocol/) with fast-check. Every
 * parser is total: for any input it returns a value or throws a `TusError` with a 4xx status,
 * never anything else (no TypeError, no RangeError, no catastrophic regex). Where a round
 * trip exists it holds: metadata, checksums, concatenation lists, content-disposition names.
 *
 * Bounded: `FUZZ_RUNS` runs per property (default 500), a fresh random seed each run; a
 * failure prints the seed and the shrunk counterexample (`fc.assert`), and
 * `TUSKIT_FUZZ_SEED=<seed>` replays it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { TusError } from '../../src/index.js'
import {
  CONTENT_LENGTH,
  UPLOAD_LENGTH,
  UPLOAD_OFFSET,
  checkTusResumable,
  effectiveMethod,
  isOffsetOctetStream,
  optionalInt,
  parseDeferLength,
  parseNonNegativeInt,
  single,
  type HeaderValue,
} from '../../src/protocol/headers.js'
import { parseMetadata, stringifyMetadata } from '../../src/protocol/metadata.js'
import { type Metadata } from '../../src/model/upload.js'
import {
  CHECKSUM_ALGORITHMS,
  announcesChecksumTrailer,
  createDigester,
  parseChecksum,
} from '../../src/protocol/checksum.js'
import {
  formatConcat,
  parseConcat,
  parseUploadConcat,
  partIdFromUrl,
} from '../../src/protocol/concat.js'
import {
  forwardedOrigin,
  isValidHost,
  parseForwarded,
  parsePrefix,
} from '../../src/protocol/forwarded.js'
import { parseRange } from '../../src/protocol/range.js'
import {
  contentDisposition,
  downloadHeaders,
  isInlineType,
  sanitizeFilename,
} from '../../src/protocol/download-headers.js'
import { matchRoute, normalisePath } from '../../src/protocol/route.js'
import { isValidUploadId, newUploadId } from '../../src/protocol/upload-id.js'
import { OVERRIDABLE_METHODS } from '../../src/protocol/constants.js'

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 500)
const SEED = process.env['TUSKIT_FUZZ_SEED']
const params: fc.Parameters<unknown> = {
  numRuns: RUNS,
  ...(SEED !== undefined ? { seed: Number(SEED) } : {}),
}

function check<Ts extends [unknown, ...unknown[]]>(
  ...args: [...arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, predicate: (...a: Ts) => void]
): void {
  fc.assert(fc.property(...args), params as fc.Parameters<Ts>)
}

/** Runs `fn`; a throw must be a 4xx `TusError`. Returns the value, or `undefined` on a throw. */
function total<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch (err) {
    if (!(err instanceof TusError)) {
      throw new Error(`threw a non-TusError: ${String(err)}`, { cause: err })
    }
    assert.ok(err.status >= 400 && err.status < 500, `status ${err.status}`)
    assert.equal(typeof err.code, 'string')
    // (Messages may quote the input, CR LF included; the core makes every body one line.)
    return undefined
  }
}

// Pieces that steer random strings towards the grammar the parsers look for.
const TOKENS = [
  'final;',
  'partial',
  '/files/',
  'http://h',
  'https://',
  ' ',
  ',',
  ';',
  '=',
  '"',
  '\\',
  '..',
  '%2e',
  '%2f',
  '/',
  'abc',
  'A_-9',
  '0',
  '9',
  '-',
  '==',
  'YQ',
  'bytes=',
  'sha1 ',
  'crc32 ',
  'md5 ',
  'for=',
  'host=',
  'proto=https',
  '[::1]',
  ':443',
  '\0',
  '\t',
  '\r\n',
  'é',
  '\u202e',
  '\ud800',
  '?',
  '#',
]

/** Header-ish text: random Unicode (lone surrogates included) or grammar pieces glued. */
const text: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }).map((a) => a.join('')),
  fc
    .tuple(fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }), fc.string({ maxLength: 12 }))
    .map(([a, s]) => a.join('') + s),
)

const headerValue: fc.Arbitrary<HeaderValue> = fc.oneof(
  fc.constant(undefined),
  text,
  fc.array(text, { maxLength: 3 }),
)

const INTEGER_HEADERS = [UPLOAD_OFFSET, UPLOAD_LENGTH, CONTENT_LENGTH] as const

/** The code `fn` throws, or `undefined` when it returns. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    assert.ok(err instanceof TusError)
    return err.code
  }
}

test('integers: parseNonNegativeInt and optionalInt are total and exact', () => {
  check(text, fc.constantFrom(...INTEGER_HEADERS), (value, header) => {
    const n = total(() => parseNonNegativeInt(value, header))
    if (n !== undefined) {
      assert.ok(Number.isSafeInteger(n) && n >= 0)
      assert.match(value, /^\d+$/)
      assert.equal(BigInt(value), BigInt(n), 'no rounding')
    }
  })
  // Any digit string: its value, or "too large" exactly when it exceeds 2^53 - 1.
  const digits = fc.tuple(fc.nat({ max: 3 }), fc.bigInt({ min: 0n, max: 2n ** 70n }))
  check(digits, fc.constantFrom(...INTEGER_HEADERS), ([zeros, big], header) => {
    const value = '0'.repeat(zeros) + big.toString()
    const code = codeOf(() => parseNonNegativeInt(value, header))
    if (big <= BigInt(Number.MAX_SAFE_INTEGER)) {
      assert.equal(code, undefined)
      assert.equal(parseNonNegativeInt(value, header), Number(big))
    } else assert.equal(code, header.tooLarge, 'unsafe integers are too large, not malformed')
  })
  check(text, fc.constantFrom(...INTEGER_HEADERS), (value, header) => {
    const code = codeOf(() => parseNonNegativeInt(value, header))
    if (!/^\d+$/.test(value)) assert.equal(code, header.invalid)
  })
  check(headerValue, (value) => {
    const n = total(() => optionalInt(value, UPLOAD_LENGTH))
    if (value === undefined) assert.equal(n, undefined)
  })
})

test('other headers: Tus-Resumable, method override, content type, defer length, single', () => {
  check(headerValue, text, (value, method) => {
    total(() => checkTusResumable(value))
    total(() => parseDeferLength(value))
    assert.equal(typeof isOffsetOctetStream(value), 'boolean')
    const s = single(value)
    assert.ok(s === undefined || typeof s === 'string')
    const effective = total(() => effectiveMethod(method, value))
    if (effective !== undefined && effective !== method) {
      // Only a POST is ever overridden, and only to a known method.
      assert.equal(method, 'POST')
      assert.ok(OVERRIDABLE_METHODS.has(effective))
    }
    // A GET (or anything but POST) is never turned into something else.
    assert.equal(effectiveMethod('GET', value), 'GET')
  })
})

// Metadata keys: printable ASCII but space and comma.
const metaKey = fc.string({
  unit: fc
    .integer({ min: 0x21, max: 0x7e })
    .filter((c) => c !== 0x2c)
    .map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 12,
})
// Values: any well-formed Unicode (what UTF-8 can carry), or no value.
const metaValue = fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: null })
const metadata: fc.Arbitrary<Metadata> = fc
  .uniqueArray(fc.tuple(metaKey, metaValue), { selector: ([k]) => k, maxLength: 6 })
  .map((pairs) => Object.fromEntries(pairs) as Metadata)

test('metadata: parse is total; stringify/parse round-trips; parse/stringify is stable', () => {
  check(text, (header) => {
    const parsed = total(() => parseMetadata(header, 4096))
    if (parsed !== undefined) {
      const again = parseMetadata(stringifyMetadata(parsed))
      assert.deepEqual({ ...again }, { ...parsed })
    }
  })
  check(metadata, (m) => {
    const header = stringifyMetadata(m)
    assert.ok(!/[\r\n\0]/.test(header), 'header-safe')
    // An empty value and no value are the same on the wire (`key` and `key `): both are null.
    const expected = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v === '' ? null : v]))
    assert.deepEqual({ ...parseMetadata(header) }, expected)
  })
  check(metadata, fc.nat({ max: 300 }), (m, max) => {
    const header = stringifyMetadata(m)
    const parsed = total(() => parseMetadata(header, max))
    if (header.length > max) assert.equal(parsed, undefined, 'over the limit is refused')
  })
})

test('checksum: parse is total; a valid header round-trips; trailer detection is total', () => {
  check(headerValue, (value) => {
    const parsed = total(() => parseChecksum(value))
    if (parsed !== undefined) {
      assert.ok(CHECKSUM_ALGORITHMS.includes(parsed.algorithm))
      assert.equal(parsed.digest.length, createDigester(parsed.algorithm).digest().length)
    }
    assert.equal(typeof announcesChecksumTrailer(value), 'boolean')
  })
  check(fc.constantFrom(...CHECKSUM_ALGORITHMS), fc.uint8Array({ maxLength: 64 }), (alg, data) => {
    const d = createDigester(alg)
    d.update(data)
    const digest = d.digest()
    const parsed = parseChecksum(`${alg} ${digest.toString('base64')}`)
    assert.equal(parsed.algorithm, alg)
    assert.ok(parsed.digest.equals(digest))
  })
})

const uploadId = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'),
  minLength: 1,
  maxLength: 40,
})
const base = fc.constantFrom('/files', '/api/uploads', '', '/a-b/c_d')

test('concatenation: parsers are total; formatConcat and parseConcat round-trip', () => {
  check(headerValue, base, (value, b) => {
    const request = total(() => parseUploadConcat(value))
    const info = total(() => parseConcat(value, b))
    if (info?.kind === 'final') {
      assert.ok(info.parts.length > 0)
      for (const id of info.parts) assert.ok(isValidUploadId(id))
      assert.equal(request?.kind, 'final')
    }
  })
  check(text, base, (url, b) => {
    const id = total(() => partIdFromUrl(url, b))
    if (id !== undefined) assert.ok(isValidUploadId(id))
  })
  check(fc.array(uploadId, { minLength: 1, maxLength: 6 }), base, fc.boolean(), (parts, b, abs) => {
    const header = formatConcat({ kind: 'final', parts }, b)
    const sent = abs ? header.replace(/(?<=[; ])\//g, 'https://uploads.example.com/') : header
    const info = parseConcat(sent, b)
    assert.deepEqual(info, { kind: 'final', parts })
  })
  assert.deepEqual(parseConcat(formatConcat({ kind: 'partial' }, '/files'), '/files'), {
    kind: 'partial',
  })
})

test('forwarded headers: total, and only valid values come out', () => {
  check(text, (header) => {
    const params = parseForwarded(header)
    assert.ok(params === undefined || params instanceof Map)
    const prefix = parsePrefix(header)
    if (prefix !== undefined) {
      assert.ok(prefix.startsWith('/') && !prefix.endsWith('/'))
      assert.ok(!prefix.split('/').some((s) => s === '.' || s === '..'))
      assert.ok(!prefix.includes('//'))
    }
  })
  check(headerValue, headerValue, headerValue, headerValue, (fwd, host, proto, prefix) => {
    const origin = forwardedOrigin({
      forwarded: fwd,
      'x-forwarded-host': host,
      'x-forwarded-proto': proto,
      'x-forwarded-prefix': prefix,
    })
    if (origin.host !== undefined) assert.ok(isValidHost(origin.host))
    if (origin.proto !== undefined) assert.ok(origin.proto === 'http' || origin.proto === 'https')
    if (origin.prefix !== undefined) assert.equal(parsePrefix(origin.prefix), origin.prefix)
    // nothing that could split a header or a URL
    for (const v of Object.values(origin)) assert.ok(!/[\s"\\?#]/.test(v))
  })
})

test('range: total; a partial range lies within the content', () => {
  check(fc.option(text, { nil: undefined }), fc.nat(), (header, length) => {
    const range = parseRange(header, length)
    if (range.kind === 'partial') {
      assert.ok(range.start >= 0 && range.start <= range.end && range.end < length)
    }
  })
  check(fc.nat(), fc.nat(), fc.nat({ max: 1e6 }), (a, n, length) => {
    const r = parseRange(`bytes=${Math.min(a, n)}-${Math.max(a, n)}`, length)
    if (Math.min(a, n) >= length) assert.equal(r.kind, 'unsatisfiable')
    else assert.equal(r.kind, 'partial')
  })
  // Positions of any size, past 2^53 - 1 too: exact comparisons, the RFC's meaning of each.
  const position = fc.bigInt({ min: 0n, max: 10n ** 40n })
  const length = fc.nat({ max: Number.MAX_SAFE_INTEGER })
  check(position, position, length, (a, b, len) => {
    const [first, last] = a <= b ? [a, b] : [b, a]
    const r = parseRange(`bytes=${first}-${last}`, len)
    if (first >= BigInt(len)) assert.equal(r.kind, 'unsatisfiable')
    else
      assert.deepEqual(r, {
        kind: 'partial',
        start: Number(first),
        end: Math.min(Number(last), len - 1),
      })
    if (a !== b)
      assert.equal(parseRange(`bytes=${last}-${first}`, len).kind, 'full', 'last < first')
  })
  check(position, length, (n, len) => {
    const r = parseRange(`bytes=-${n}`, len)
    if (n === 0n || len === 0) assert.equal(r.kind, 'unsatisfiable')
    else
      assert.deepEqual(r, {
        kind: 'partial',
        start: n >= BigInt(len) ? 0 : len - Number(n),
        end: len - 1,
      })
  })
})

test('content-disposition: header-safe, the name survives as far as it is safe', () => {
  const name = fc.oneof(text, fc.string({ unit: 'grapheme', maxLength: 300 }))
  check(name, fc.constantFrom('inline' as const, 'attachment' as const), (n, type) => {
    const safe = sanitizeFilename(n)
    assert.equal(sanitizeFilename(safe), safe, 'sanitizing is idempotent')
    assert.ok(!/["\\/\u0000-\u001f\u007f-\u009f\u202e]/.test(safe))
    assert.ok([...safe].length <= 200)
    const value = contentDisposition(type, n)
    assert.match(value, /^[\x20-\x7e]*$/, 'ASCII only: no header splitting, no mojibake')
    assert.ok(value === type || value.startsWith(`${type}; filename="`))
    const star = /filename\*=UTF-8''(.*)$/.exec(value)
    if (star) assert.equal(decodeURIComponent(star[1] ?? ''), safe, 'filename* is the exact name')
    else if (safe !== '') assert.ok(value.endsWith(`filename="${safe}"`))
  })
  check(
    fc.dictionary(fc.constantFrom('filename', 'filetype', 'x'), fc.option(text, { nil: null })),
    (m) => {
      const h = downloadHeaders(m)
      const inline = h['Content-Disposition'].startsWith('inline')
      if (inline) assert.ok(isInlineType(h['Content-Type']))
      else assert.equal(h['Content-Type'], 'application/octet-stream')
    },
  )
})

test('routes and ids: matchRoute is total and never yields a path-like valid id', () => {
  check(
    fc.constantFrom('/files', '/', '/a/b'),
    text,
    fc.option(text, { nil: undefined }),
    (path, url, original) => {
      const route = matchRoute(normalisePath(path), url, original)
      if (route?.kind === 'upload' && isValidUploadId(route.id)) {
        assert.ok(!/[./\\%\0]/.test(route.id))
      }
    },
  )
  check(text, (s) => {
    if (isValidUploadId(s)) assert.match(s, /^[A-Za-z0-9_-]{1,128}$/)
    const p = normalisePath(s)
    assert.ok(p.startsWith('/'))
    assert.ok(p === '/' || !p.endsWith('/'))
  })
  for (let i = 0; i < 200; i++) assert.ok(isValidUploadId(newUploadId()))
})
