import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  formatConcat,
  parseConcat,
  parseUploadConcat,
  partIdFromUrl,
} from '../../src/protocol/concat.js'
import { isTusError } from '../../src/model/errors.js'

function assertInvalid(fn: () => unknown, what: string): void {
  assert.throws(
    fn,
    (err: unknown) => isTusError(err) && err.status === 400 && err.code === 'ERR_INVALID_CONCAT',
    what,
  )
}

test('Upload-Concat: absent, partial and final lists', () => {
  assert.equal(parseUploadConcat(undefined), undefined)
  assert.deepEqual(parseUploadConcat('partial'), { kind: 'partial' })
  assert.deepEqual(parseUploadConcat('final;/files/a'), { kind: 'final', urls: ['/files/a'] })
  assert.deepEqual(parseUploadConcat('final;/files/a http://h:1/files/b /files/a'), {
    kind: 'final',
    urls: ['/files/a', 'http://h:1/files/b', '/files/a'],
  })
  assert.deepEqual(parseUploadConcat(['partial']), { kind: 'partial' })
})

test('Upload-Concat: malformed values are 400', () => {
  for (const value of [
    '',
    'foo',
    'Partial',
    'partial;',
    ' partial',
    'final',
    'final;',
    'final: /files/a',
    'final; /files/a',
    'final;/files/a  /files/b',
    'final;/files/a ',
    'FINAL;/files/a',
  ]) {
    assertInvalid(() => parseUploadConcat(value), JSON.stringify(value))
  }
  // a repeated header is ambiguous
  assertInvalid(() => parseUploadConcat(['partial', 'partial']), 'repeated header')
})

test('part URLs resolve to ids: absolute paths and http(s) URLs under the endpoint', () => {
  assert.equal(partIdFromUrl('/files/abc_DEF-1', '/files'), 'abc_DEF-1')
  assert.equal(partIdFromUrl('http://example.com/files/abc', '/files'), 'abc')
  assert.equal(partIdFromUrl('https://127.0.0.1:8443/files/abc', '/files'), 'abc')
  assert.equal(partIdFromUrl('HTTP://[::1]:1080/files/abc', '/files'), 'abc')
  assert.equal(partIdFromUrl('/api/up/x', '/api/up'), 'x')
  // an endpoint mounted at the root
  assert.equal(partIdFromUrl('/abc', ''), 'abc')
  assert.equal(partIdFromUrl('http://h/abc', ''), 'abc')
})

test('part URLs outside the endpoint, or with invalid ids, are 400', () => {
  for (const url of [
    '/other/abc',
    '/filesabc',
    '/files/',
    '/files',
    '/files/a/b',
    '/files/a.json',
    '/files/../files/abc',
    '/files/%61bc',
    '/files/abc?x=1',
    '/files/abc#f',
    '/files/abc/',
    'files/abc',
    'abc',
    '//evil/files/abc',
    'ftp://h/files/abc',
    'http:/files/abc',
    'http://h',
    'http:///files/abc',
    'http://h/other/abc',
    'http://h/files/' + 'a'.repeat(129),
  ]) {
    assertInvalid(() => partIdFromUrl(url, '/files'), url)
  }
})

test('parseConcat resolves a final list to ids in order, repeats kept', () => {
  assert.equal(parseConcat(undefined, '/files'), undefined)
  assert.deepEqual(parseConcat('partial', '/files'), { kind: 'partial' })
  assert.deepEqual(parseConcat('final;/files/a http://h/files/b /files/a', '/files'), {
    kind: 'final',
    parts: ['a', 'b', 'a'],
  })
  assertInvalid(() => parseConcat('final;/files/a /other/b', '/files'), 'one bad URL')
})

test('formatConcat answers the endpoint paths, and round-trips', () => {
  assert.equal(formatConcat({ kind: 'partial' }, '/files'), 'partial')
  const final = { kind: 'final', parts: ['a', 'b', 'a'] } as const
  assert.equal(formatConcat(final, '/files'), 'final;/files/a /files/b /files/a')
  assert.deepEqual(parseConcat(formatConcat(final, '/files'), '/files'), final)
  assert.equal(formatConcat({ kind: 'final', parts: ['a'] }, ''), 'final;/a')
})
