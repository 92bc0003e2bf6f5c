import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  CONTENT_LENGTH,
  UPLOAD_LENGTH,
  UPLOAD_OFFSET,
  checkTusResumable,
  effectiveMethod,
  isOffsetOctetStream,
  parseDeferLength,
  parseNonNegativeInt,
  single,
} from '../../src/protocol/headers.js'
import { TusError } from '../../src/model/errors.js'
import { nonNegativeIntegerProblem } from '../../src/protocol/integer.js'

function status(fn: () => unknown): number {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof TusError)
    return err.status
  }
  return 0
}

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof TusError)
    return err.code
  }
  return undefined
}

test('non-negative integers are parsed strictly', () => {
  assert.equal(parseNonNegativeInt('0', UPLOAD_OFFSET), 0)
  assert.equal(parseNonNegativeInt('10737418240', UPLOAD_OFFSET), 10737418240)
  assert.equal(parseNonNegativeInt('007', UPLOAD_OFFSET), 7)
  assert.equal(parseNonNegativeInt('00000000000000000000042', UPLOAD_OFFSET), 42)
  assert.equal(parseNonNegativeInt('9007199254740991', UPLOAD_LENGTH), Number.MAX_SAFE_INTEGER)
  for (const bad of ['', '-1', '+1', '1.5', '1e3', ' 5', '5 ', '0x10', 'abc', '١٢']) {
    assert.equal(
      status(() => parseNonNegativeInt(bad, UPLOAD_OFFSET)),
      400,
      bad,
    )
    assert.equal(
      code(() => parseNonNegativeInt(bad, UPLOAD_OFFSET)),
      'ERR_INVALID_OFFSET',
      bad,
    )
  }
})

test('integers past 2^53 - 1 are too large, with a code of their own per header', () => {
  const huge = ['9007199254740992', '9007199254740993', '99999999999999999', '1'.repeat(400)]
  for (const value of huge) {
    assert.equal(
      code(() => parseNonNegativeInt(value, UPLOAD_LENGTH)),
      'ERR_UPLOAD_LENGTH_TOO_LARGE',
    )
    assert.equal(
      code(() => parseNonNegativeInt(value, UPLOAD_OFFSET)),
      'ERR_OFFSET_TOO_LARGE',
    )
    assert.equal(
      code(() => parseNonNegativeInt(value, CONTENT_LENGTH)),
      'ERR_CONTENT_LENGTH_TOO_LARGE',
    )
  }
  assert.equal(
    status(() => parseNonNegativeInt(huge[1]!, UPLOAD_LENGTH)),
    413,
  )
  assert.equal(
    status(() => parseNonNegativeInt(huge[1]!, UPLOAD_OFFSET)),
    400,
  )
  assert.equal(
    status(() => parseNonNegativeInt(huge[1]!, CONTENT_LENGTH)),
    413,
  )
  assert.throws(() => parseNonNegativeInt('9007199254740993', UPLOAD_LENGTH), {
    message: 'Upload-Length is too large (more than 9007199254740991)',
  })
})

test('option values: past 2^53 - 1 is too large, anything else not an integer', () => {
  assert.equal(nonNegativeIntegerProblem(0), undefined)
  assert.equal(nonNegativeIntegerProblem(Number.MAX_SAFE_INTEGER), undefined)
  assert.equal(nonNegativeIntegerProblem(2 ** 53), 'is too large (more than 9007199254740991)')
  assert.equal(nonNegativeIntegerProblem(1e300), 'is too large (more than 9007199254740991)')
  for (const bad of [-1, 1.5, Infinity, NaN, '5', null]) {
    assert.equal(nonNegativeIntegerProblem(bad), 'must be a non-negative integer', String(bad))
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
