import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MAX_SIZE, parseSize } from '../../src/cli/size.js'

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB
const TiB = 1024 * GiB

function bytes(text: string): number {
  const size = parseSize(text)
  assert.ok(size.ok, `${JSON.stringify(text)} was refused: ${size.ok ? '' : size.reason}`)
  return size.bytes
}

test('plain numbers are bytes', () => {
  assert.equal(bytes('0'), 0)
  assert.equal(bytes('1048576'), 1048576)
  assert.equal(bytes('007'), 7)
  assert.equal(bytes('100B'), 100)
  assert.equal(bytes('100b'), 100)
  assert.equal(bytes(String(MAX_SIZE)), Number.MAX_SAFE_INTEGER)
})

test('K, M, G and T are binary, in either case, with an optional B or iB', () => {
  assert.equal(bytes('1K'), KiB)
  assert.equal(bytes('512K'), 512 * KiB)
  assert.equal(bytes('512k'), 512 * KiB)
  assert.equal(bytes('100M'), 100 * MiB)
  assert.equal(bytes('2G'), 2147483648)
  assert.equal(bytes('2g'), 2147483648)
  assert.equal(bytes('2GB'), 2147483648)
  assert.equal(bytes('2GiB'), 2147483648)
  assert.equal(bytes('2gib'), 2147483648)
  assert.equal(bytes('1T'), TiB)
  assert.equal(bytes('0G'), 0)
})

test('fractions, signs, spaces, other units and junk are not sizes', () => {
  for (const text of [
    '',
    '-5',
    '-1K',
    '+5',
    '1.5',
    '1.5G',
    '.5K',
    '1,024',
    '1_024',
    '1e6',
    '0x10',
    '1 K',
    ' 1K',
    '1K ',
    'K',
    'KB',
    'iB',
    '1iB',
    '1KK',
    '1P',
    '1KiBB',
    '1Kb2',
    'lots',
    'Infinity',
    'NaN',
    '١٢٣', // digits of another script
  ]) {
    assert.deepEqual(parseSize(text), { ok: false, reason: 'syntax' }, JSON.stringify(text))
  }
})

test('past Number.MAX_SAFE_INTEGER is too large, however it is written', () => {
  for (const text of ['9007199254740992', '99999999999999999999999', '8192T', '8388608G']) {
    assert.deepEqual(parseSize(text), { ok: false, reason: 'too-large' }, text)
  }
  assert.equal(bytes('8191T'), 8191 * TiB) // the largest whole number of T that fits
  assert.equal(bytes('8388607G'), 8388607 * GiB)
})

const UNITS = [
  ['', 0n],
  ['K', 1n],
  ['M', 2n],
  ['G', 3n],
  ['T', 4n],
] as const

test('property: n with a suffix is n times its power of 1024, or too large', () => {
  const spelling = fc.constantFrom('', 'B', 'iB', 'b', 'ib')
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 2n ** 60n }),
      fc.constantFrom(...UNITS),
      spelling,
      fc.boolean(),
      (n, [unit, power], tail, lower) => {
        const suffix = unit === '' ? (tail === '' ? '' : 'B') : unit + tail
        const text = `${n}${lower ? suffix.toLowerCase() : suffix}`
        const expected = n * 1024n ** power
        assert.deepEqual(
          parseSize(text),
          expected <= BigInt(Number.MAX_SAFE_INTEGER)
            ? { ok: true, bytes: Number(expected) }
            : { ok: false, reason: 'too-large' },
          text,
        )
      },
    ),
  )
})

test('property: every safe integer written out is itself', () => {
  fc.assert(
    fc.property(fc.maxSafeNat(), (n) => {
      assert.deepEqual(parseSize(String(n)), { ok: true, bytes: n })
    }),
  )
})

test('property: any text gives a safe integer or a reason, never throws; negatives and fractions are refused', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (text) => {
      const size = parseSize(text)
      if (size.ok) {
        assert.ok(Number.isSafeInteger(size.bytes) && size.bytes >= 0, text)
        assert.match(text, /^\d+[KMGTBkmgtib]*$/, text)
      } else {
        assert.ok(size.reason === 'syntax' || size.reason === 'too-large', text)
      }
    }),
  )
  fc.assert(
    fc.property(fc.nat(), fc.nat(), fc.constantFrom('', 'K', 'G'), (whole, part, unit) => {
      assert.equal(parseSize(`-${whole}${unit}`).ok, false)
      assert.equal(parseSize(`${whole}.${part}${unit}`).ok, false)
    }),
  )
})
