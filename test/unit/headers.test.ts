import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  checkTusResumable,
  effectiveMethod,
  isOffsetOctetStream,
  parseDeferLength,
  parseNonNegativeInt,
  single,
} from '../../src/protocol/headers.js'
import { TusError } from '../../src/protocol/errors.js'

function status(fn: () => unknown): number {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof TusError)
    return err.status
  }
  return 0
}

test('non-negative integers are parsed strictly', () => {
  assert.equal(parseNonNegativeInt('0', 'ERR_INVALID_OFFSET'), 0)
  assert.equal(parseNonNegativeInt('10737418240', 'ERR_INVALID_OFFSET'), 10737418240)
  assert.equal(parseNonNegativeInt('007', 'ERR_INVALID_OFFSET'), 7)
  for (const bad of [
    '',
    '-1',
    '+1',
    '1.5',
    '1e3',
    ' 5',
    '5 ',
    '0x10',
    'abc',
    '99999999999999999',
  ]) {
    assert.equal(
      status(() => parseNonNegativeInt(bad, 'ERR_INVALID_OFFSET')),
      400,
      bad,
    )
  }
})

test('a repeated header counts as invalid, not as its first value', () => {
  assert.equal(single(['1']), '1')
  assert.notEqual(single(['1', '2']), '1')
  assert.equal(single(undefined), undefined)
})

test('Tus-Resumable must be present and supported', () => {
  assert.equal(
    status(() => checkTusResumable('1.0.0')),
    0,
  )
  assert.equal(
    status(() => checkTusResumable(undefined)),
    412,
  )
  assert.equal(
    status(() => checkTusResumable('0.2.2')),
    412,
  )
  assert.equal(
    status(() => checkTusResumable(['1.0.0', '1.0.0'])),
    412,
  )
})

test('X-HTTP-Method-Override applies to POST only', () => {
  assert.equal(effectiveMethod('POST', 'patch'), 'PATCH')
  assert.equal(effectiveMethod('POST', 'DELETE'), 'DELETE')
  assert.equal(effectiveMethod('GET', 'DELETE'), 'GET')
  assert.equal(effectiveMethod('POST', undefined), 'POST')
  assert.equal(
    status(() => effectiveMethod('POST', 'TRACE')),
    400,
  )
})

test('Content-Type of PATCH bodies', () => {
  assert.ok(isOffsetOctetStream('application/offset+octet-stream'))
  assert.ok(isOffsetOctetStream('Application/Offset+Octet-Stream; charset=binary'))
  assert.ok(!isOffsetOctetStream('application/octet-stream'))
  assert.ok(!isOffsetOctetStream(undefined))
})

test('Upload-Defer-Length is 1 or absent', () => {
  assert.equal(parseDeferLength('1'), true)
  assert.equal(parseDeferLength(undefined), false)
  for (const bad of ['0', '2', 'true', ' 1']) {
    assert.equal(
      status(() => parseDeferLength(bad)),
      400,
      bad,
    )
  }
})
