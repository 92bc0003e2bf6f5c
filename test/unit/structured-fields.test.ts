import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  isOverlongInteger,
  parseBoolean,
  parseDictionary,
  parseItem,
  parseNonNegativeInteger,
  serializeBoolean,
  serializeDictionary,
  serializeInteger,
} from '../../src/protocol/structured-fields.js'

test('Integers: digits, sign, at most 15 digits, parameters allowed', () => {
  assert.equal(parseNonNegativeInteger('0'), 0)
  assert.equal(parseNonNegativeInteger('42'), 42)
  assert.equal(parseNonNegativeInteger('007'), 7)
  assert.equal(parseNonNegativeInteger(' 42 '), 42)
  assert.equal(parseNonNegativeInteger('42;a=1;b'), 42)
  assert.equal(parseNonNegativeInteger('999999999999999'), 999999999999999)
  for (const bad of [
    '',
    '-1',
    '1.5',
    '1e3',
    '0x10',
    '+1',
    '1 2',
    '1,2',
    '9999999999999999',
    '"1"',
    '?1',
    'abc',
    '1;',
    '1;A=1',
    '\t1',
  ]) {
    assert.equal(parseNonNegativeInteger(bad), undefined, JSON.stringify(bad))
  }
  assert.equal(parseNonNegativeInteger(undefined), undefined)
  assert.deepEqual(parseItem('-5'), { value: -5, params: new Map(), integer: true })
})

test('an Integer but for its more than 15 digits is overlong, not malformed', () => {
  for (const overlong of [
    '9999999999999999',
    '0000000000000001',
    ' 9007199254740993 ',
    '1000000000000000;a=1',
    '9'.repeat(400),
  ]) {
    assert.equal(parseNonNegativeInteger(overlong), undefined, overlong)
    assert.equal(isOverlongInteger(overlong), true, overlong)
  }
  for (const other of [
    undefined,
    '',
    '999999999999999',
    '-9999999999999999',
    '9999999999999999.5',
    '9999999999999999 1',
    '9999999999999999;A=1',
    '9999999999999999, 5',
    'x9999999999999999',
  ]) {
    assert.equal(isOverlongInteger(other), false, String(other))
  }
})

test('Booleans: ?0 and ?1 only', () => {
  assert.equal(parseBoolean('?1'), true)
  assert.equal(parseBoolean('?0'), false)
  assert.equal(parseBoolean('?1;x'), true)
  for (const bad of ['?', '?2', '1', 'true', '?10', '? 1', '?1,?0', '']) {
    assert.equal(parseBoolean(bad), undefined, bad)
  }
  // A repeated field is joined and is then no Item.
  assert.equal(parseBoolean(['?1', '?1']), undefined)
})

test('other bare items: decimals, strings, tokens, byte sequences', () => {
  assert.deepEqual(parseItem('1.25'), { value: 1.25, params: new Map(), integer: false })
  assert.equal(parseItem('1.2345'), undefined)
  assert.equal(parseItem('1.'), undefined)
  assert.equal(parseItem('1234567890123.1'), undefined)
  assert.deepEqual(parseItem('"a \\"q\\" \\\\"')?.value, 'a "q" \\')
  assert.equal(parseItem('"bad \\n"'), undefined)
  assert.equal(parseItem('"unterminated'), undefined)
  assert.deepEqual(parseItem('foo/bar:baz')?.value, { token: 'foo/bar:baz' })
  assert.deepEqual(parseItem('*tok')?.value, { token: '*tok' })
  const bytes = parseItem(':aGVsbG8=:')?.value as { bytes: Buffer }
  assert.equal(bytes.bytes.toString(), 'hello')
  assert.equal(parseItem(':not base64!:'), undefined)
  assert.equal(parseItem('ä'), undefined)
  // A repeated parameter keeps its first place and takes the last value (RFC 9651 4.2.3.2).
  const params = parseItem('1;a=?0;b="x";a=2')?.params
  assert.deepEqual(
    [...(params ?? [])],
    [
      ['a', 2],
      ['b', 'x'],
    ],
  )
})

test('RFC 9651 bare items: Dates and Display Strings; Byte Sequences must decode', () => {
  assert.deepEqual(parseItem('@1659578233;a'), {
    value: { date: 1659578233 },
    params: new Map([['a', true]]),
  })
  assert.deepEqual(parseItem('@-5')?.value, { date: -5 })
  for (const bad of ['@', '@1.5', '@x', '@ 1', '@9999999999999999']) {
    assert.equal(parseItem(bad), undefined, bad)
  }
  assert.deepEqual(parseItem('%"f%c3%bc%c3%bc %22q%22"')?.value, { display: 'füü "q"' })
  assert.equal(parseBoolean('?1;t=@1700000000;n=%"x"'), true)
  for (const bad of ['%"%C3%BC"', '%"%c3%28"', '%"\t"', '%"ab', '%ab"', '%"%a"', '%"ü"']) {
    assert.equal(parseItem(bad), undefined, bad)
  }
  // Padding may be missing; a text that is no base64 at all is refused, not truncated.
  assert.equal((parseItem(':YQ:')?.value as { bytes: Buffer }).bytes.toString(), 'a')
  for (const bad of [':z:', ':YQ=:', ':YQ===:', ':YQ==YQ==:', ':_-Ah:']) {
    assert.equal(parseItem(bad), undefined, bad)
  }
})

test('Dictionaries: members, bare keys, inner lists, OWS, duplicates, errors', () => {
  const dict = parseDictionary('max-size=100, min-size=0,flag,  list=(1 2);p, max-size=5')
  assert.ok(dict)
  // A repeated key keeps its first place and takes the last value (RFC 9651 4.2.2).
  assert.deepEqual([...dict.keys()], ['max-size', 'min-size', 'flag', 'list'])
  assert.equal((dict.get('max-size') as { value: unknown }).value, 5)
  assert.equal((dict.get('flag') as { value: unknown }).value, true)
  const list = dict.get('list') as unknown as {
    items: Array<{ value: unknown }>
    params: Map<string, unknown>
  }
  assert.deepEqual(
    list.items.map((i) => i.value),
    [1, 2],
  )
  assert.deepEqual([...list.params], [['p', true]])
  assert.equal(parseDictionary('')?.size, 0)
  for (const bad of ['a=1,', 'A=1', 'a=', 'a=1 b=2', '1=a', 'a=(1', 'a=1,,b=2']) {
    assert.equal(parseDictionary(bad), undefined, bad)
  }
})

test('serialisation', () => {
  assert.equal(serializeBoolean(true), '?1')
  assert.equal(serializeBoolean(false), '?0')
  assert.equal(serializeInteger(0), '0')
  assert.equal(serializeInteger(123456), '123456')
  assert.throws(() => serializeInteger(1.5), RangeError)
  assert.throws(() => serializeInteger(1e15), RangeError)
  assert.equal(
    serializeDictionary([
      ['max-size', 10],
      ['min-size', 0],
      ['x', true],
      ['y', false],
    ]),
    'max-size=10, min-size=0, x, y=?0',
  )
  assert.throws(() => serializeDictionary([['Bad', 1]]), RangeError)
  // Round trip.
  const text = serializeDictionary([
    ['max-age', 3600],
    ['min-size', 0],
  ])
  const parsed = parseDictionary(text)
  assert.deepEqual(
    [...(parsed ?? [])].map(([k, v]) => [k, (v as { value: unknown }).value]),
    [
      ['max-age', 3600],
      ['min-size', 0],
    ],
  )
})
