import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMetadata, stringifyMetadata } from '../../src/protocol/metadata.js'
import { TusError } from '../../src/model/errors.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')

test('parses pairs, valueless keys and the empty header', () => {
  assert.deepEqual(
    { ...parseMetadata(`filename ${b64('world_domination_plan.pdf')},is_confidential`) },
    { filename: 'world_domination_plan.pdf', is_confidential: null },
  )
  assert.deepEqual({ ...parseMetadata('key ') }, { key: null })
  assert.deepEqual({ ...parseMetadata(`a ${b64('x')}, b ${b64('ü')}`) }, { a: 'x', b: 'ü' })
  assert.deepEqual({ ...parseMetadata('') }, {})
  assert.deepEqual({ ...parseMetadata('   ') }, {})
})

test('rejects malformed metadata with a 400 naming the fault', () => {
  const bad = [
    'a YQ==,a Yg==', // duplicate
    'key !!!notbase64',
    'key a b',
    ',',
    'a YQ==,',
    'ключ YQ==',
    'key YQ', // missing padding
    `key ${Buffer.from([0xff, 0xfe]).toString('base64')}`, // not UTF-8
    '__proto__ YQ==,__proto__ YQ==',
  ]
  for (const header of bad) {
    assert.throws(
      () => parseMetadata(header),
      (err: unknown) =>
        err instanceof TusError && err.status === 400 && !err.message.includes('\n'),
      header,
    )
  }
})

test('a __proto__ key is stored as data, not as a prototype', () => {
  const m = parseMetadata(`__proto__ ${b64('x')}`)
  assert.equal(Object.getPrototypeOf(m), null)
  assert.equal(m['__proto__'], 'x')
})

test('enforces the size limit', () => {
  assert.throws(() => parseMetadata(`k ${b64('x'.repeat(100))}`, 50), /too large/)
})

test('round-trips through stringify', () => {
  const header = `filename ${b64('a b,c.txt')},flag,type ${b64('text/plain')}`
  assert.equal(stringifyMetadata(parseMetadata(header)), header)
  assert.deepEqual(
    { ...parseMetadata(stringifyMetadata({ a: 'ü', b: null })) },
    { a: 'ü', b: null },
  )
})

test('stringify leaves out what Upload-Metadata cannot carry, so the header is sendable', () => {
  const metadata = {
    filename: 'a.txt',
    'two words': 'x',
    'a,b': 'x',
    'x\r\nSet-Cookie: a=b': 'x',
    ключ: 'x',
    '': 'x',
    size: 5,
    list: ['x'],
    flag: null,
  } as unknown as Record<string, string | null>
  const header = stringifyMetadata(metadata)
  assert.equal(header, `filename ${b64('a.txt')},flag`)
  assert.deepEqual({ ...parseMetadata(header) }, { filename: 'a.txt', flag: null })
})
