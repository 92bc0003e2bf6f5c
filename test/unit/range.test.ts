import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseRange } from '../../src/protocol/range.js'

const full = { kind: 'full' }
const none = { kind: 'unsatisfiable' }
const part = (start: number, end: number) => ({ kind: 'partial', start, end })

test('no Range header: the whole content', () => {
  assert.deepEqual(parseRange(undefined, 10), full)
})

test('bytes=a-b, clamped to the length', () => {
  assert.deepEqual(parseRange('bytes=0-0', 10), part(0, 0))
  assert.deepEqual(parseRange('bytes=2-5', 10), part(2, 5))
  assert.deepEqual(parseRange('bytes=2-100', 10), part(2, 9))
  assert.deepEqual(parseRange('bytes=0-9', 10), part(0, 9))
  assert.deepEqual(parseRange('Bytes = 2 - 5 ', 10), part(2, 5))
})

test('bytes=a- and bytes=-n', () => {
  assert.deepEqual(parseRange('bytes=4-', 10), part(4, 9))
  assert.deepEqual(parseRange('bytes=9-', 10), part(9, 9))
  assert.deepEqual(parseRange('bytes=-3', 10), part(7, 9))
  assert.deepEqual(parseRange('bytes=-100', 10), part(0, 9))
})

test('unsatisfiable ranges', () => {
  assert.deepEqual(parseRange('bytes=10-', 10), none)
  assert.deepEqual(parseRange('bytes=10-20', 10), none)
  assert.deepEqual(parseRange('bytes=-0', 10), none)
  assert.deepEqual(parseRange('bytes=0-', 0), none)
  assert.deepEqual(parseRange('bytes=-5', 0), none)
})

test('what the server may ignore is ignored: the whole content', () => {
  for (const header of [
    'items=0-1',
    'bytes=',
    'bytes=a-b',
    'bytes=5-2',
    'bytes=-',
    'bytes=1-2-3',
    'bytes=0-1,4-5',
    'bytes=0-1, 20-30',
    'bytes=+1-2',
    'bytes=1e3-',
    'bytes=99999999999999999-99999999999999998',
    'bytes 0-1',
    '\0repeated',
  ]) {
    assert.deepEqual(parseRange(header, 10), full, header)
  }
})

test('positions past 2^53 - 1 mean what any large position means (RFC 9110 §14.1.2)', () => {
  const huge = '9007199254740993'
  assert.deepEqual(parseRange(`bytes=${huge}-`, 10), none, 'a first byte past the end')
  assert.deepEqual(parseRange('bytes=99999999999999999-', 10), none)
  assert.deepEqual(parseRange(`bytes=${'9'.repeat(400)}-`, 10), none)
  assert.deepEqual(parseRange(`bytes=2-${huge}`, 10), part(2, 9), 'a last byte past the end')
  assert.deepEqual(parseRange(`bytes=-${huge}`, 10), part(0, 9), 'a suffix longer than all')
  assert.deepEqual(parseRange(`bytes=-${'9'.repeat(400)}`, 10), part(0, 9))
  assert.deepEqual(parseRange('bytes=00000000000000000002-00000000000000000005', 10), part(2, 5))
  // Two positions that round to the same number still compare exactly.
  assert.deepEqual(parseRange('bytes=9007199254740993-9007199254740992', 10), full)
  assert.deepEqual(parseRange('bytes=9007199254740992-9007199254740993', 10), none)
})
