import { test } from 'node:test'
import assert from 'node:assert/strict'
import { matchRoute, normalisePath } from '../../src/protocol/route.js'
import { isValidUploadId, newUploadId } from '../../src/protocol/upload-id.js'

test('matches the endpoint path on a plain node:http server', () => {
  assert.deepEqual(matchRoute('/files', '/files'), { kind: 'collection', base: '/files' })
  assert.deepEqual(matchRoute('/files', '/files/?x=1'), { kind: 'collection', base: '/files' })
  assert.deepEqual(matchRoute('/files', '/files/abc?x'), {
    kind: 'upload',
    base: '/files',
    id: 'abc',
  })
  assert.equal(matchRoute('/files', '/filesx'), undefined)
  assert.equal(matchRoute('/files', '/other/abc'), undefined)
  assert.deepEqual(matchRoute('/', '/abc'), { kind: 'upload', base: '', id: 'abc' })
})

test('copes with a framework that stripped its mount prefix', () => {
  // Express app.use('/files', tus) with the default path
  assert.deepEqual(matchRoute('/files', '/abc', '/files/abc'), {
    kind: 'upload',
    base: '/files',
    id: 'abc',
  })
  // mounted somewhere else than `path`: the mount point wins
  assert.deepEqual(matchRoute('/files', '/abc', '/api/uploads/abc'), {
    kind: 'upload',
    base: '/api/uploads',
    id: 'abc',
  })
  assert.deepEqual(matchRoute('/files', '/', '/api/uploads'), {
    kind: 'collection',
    base: '/api/uploads',
  })
  assert.deepEqual(matchRoute('/files', '/', '/api/uploads/'), {
    kind: 'collection',
    base: '/api/uploads',
  })
})

test('keeps nested or odd paths as raw ids for validation to refuse', () => {
  const route = matchRoute('/files', '/files/a/../b')
  assert.ok(route?.kind === 'upload')
  assert.equal(isValidUploadId(route.id), false)
})

test('upload ids are 128-bit random and URL safe; unsafe ids are refused', () => {
  const id = newUploadId()
  assert.match(id, /^[A-Za-z0-9_-]{22}$/)
  assert.notEqual(newUploadId(), id)
  for (const bad of ['', '..', 'a.b', 'a/b', 'a\\b', '%2e', 'a\0', 'x'.repeat(129), 'é']) {
    assert.equal(isValidUploadId(bad), false, bad)
  }
})

test('normalises the path option', () => {
  assert.equal(normalisePath('files/'), '/files')
  assert.equal(normalisePath('/'), '/')
  assert.equal(normalisePath('/a/b//'), '/a/b')
})
