import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  forwardedOrigin,
  isValidHost,
  parseForwarded,
  parsePrefix,
  stripDefaultPort,
} from '../../src/protocol/forwarded.js'

test('parseForwarded reads the first element, names case-insensitive, values unquoted', () => {
  assert.deepEqual(
    parseForwarded('for=192.0.2.60;proto=https;host=example.com'),
    new Map([
      ['for', '192.0.2.60'],
      ['proto', 'https'],
      ['host', 'example.com'],
    ]),
  )
  assert.deepEqual(
    parseForwarded('Host="example.com:8443" ; PROTO=https, host=second.example'),
    new Map([
      ['host', 'example.com:8443'],
      ['proto', 'https'],
    ]),
  )
  assert.deepEqual(
    parseForwarded('for="[2001:db8:cafe::17]:4711";host="a\\"b"'),
    new Map([
      ['for', '[2001:db8:cafe::17]:4711'],
      ['host', 'a"b'],
    ]),
  )
  // a comma inside quotes does not end the element
  assert.deepEqual(
    parseForwarded('host="a,b";proto=http'),
    new Map([
      ['host', 'a,b'],
      ['proto', 'http'],
    ]),
  )
  // lenient about an unquoted host:port
  assert.equal(parseForwarded('host=example.com:8080')?.get('host'), 'example.com:8080')
})

test('parseForwarded rejects malformed elements and repeated parameters', () => {
  for (const bad of [
    '',
    'host',
    '=x',
    'host="unterminated',
    'host=a;host=b',
    'host=a b',
    'host=a;;',
    'host="a"x',
  ]) {
    assert.equal(parseForwarded(bad), undefined, bad)
  }
})

test('isValidHost and stripDefaultPort', () => {
  for (const ok of ['example.com', 'example.com:8080', '127.0.0.1:1', '[::1]', '[::1]:443']) {
    assert.ok(isValidHost(ok), ok)
  }
  for (const bad of [
    '',
    'evil.com/path',
    'evil.com?x',
    'a@evil.com',
    'evil.com:80:80',
    'evil.com:',
    'ex ample.com',
    'evil.com\r\nX: y',
    '[::1',
    'a"b',
  ]) {
    assert.ok(!isValidHost(bad), bad)
  }
  assert.equal(stripDefaultPort('example.com:80', 'http'), 'example.com')
  assert.equal(stripDefaultPort('example.com:443', 'https'), 'example.com')
  assert.equal(stripDefaultPort('example.com:443', 'http'), 'example.com:443')
  assert.equal(stripDefaultPort('example.com:80', 'https'), 'example.com:80')
  assert.equal(stripDefaultPort('[::1]:443', 'https'), '[::1]')
  assert.equal(stripDefaultPort('example.com:8080', 'http'), 'example.com:8080')
})

test('parsePrefix accepts clean absolute paths only', () => {
  assert.equal(parsePrefix('/api'), '/api')
  assert.equal(parsePrefix('/api/v1/'), '/api/v1')
  assert.equal(parsePrefix('/a%20b/c'), '/a%20b/c')
  assert.equal(parsePrefix('/'), undefined)
  for (const bad of [
    undefined,
    '',
    'api',
    '//evil.com',
    '/api//x',
    '/api/../x',
    '/./x',
    '/a b',
    '/a?b',
    '/a#b',
    '/a\\b',
    'https://evil.com/x',
    '/%zz',
    `/${'a'.repeat(2000)}`,
  ]) {
    assert.equal(parsePrefix(bad), undefined, String(bad))
  }
})

test('forwardedOrigin: Forwarded wins field by field, X-Forwarded-* fill in', () => {
  assert.deepEqual(
    forwardedOrigin({
      forwarded: 'for=1.2.3.4;host=a.example;proto=https',
      'x-forwarded-host': 'b.example',
      'x-forwarded-proto': 'http',
    }),
    { proto: 'https', host: 'a.example' },
  )
  assert.deepEqual(
    forwardedOrigin({ forwarded: 'for=1.2.3.4;proto=https', 'x-forwarded-host': 'b.example' }),
    { proto: 'https', host: 'b.example' },
  )
  assert.deepEqual(
    forwardedOrigin({
      'x-forwarded-host': 'b.example:8443, internal:80',
      'x-forwarded-proto': 'HTTPS,http',
      'x-forwarded-prefix': '/api',
    }),
    { proto: 'https', host: 'b.example:8443', prefix: '/api' },
  )
  assert.deepEqual(forwardedOrigin({ host: 'x' }), {})
})

test('forwardedOrigin ignores invalid values', () => {
  assert.deepEqual(
    forwardedOrigin({
      forwarded: 'host="evil.com/x";proto=ftp',
      'x-forwarded-host': 'evil.com@x',
      'x-forwarded-proto': 'javascript',
      'x-forwarded-prefix': '//evil.com',
    }),
    {},
  )
  // an invalid Forwarded falls back to X-Forwarded-*
  assert.deepEqual(
    forwardedOrigin({ forwarded: 'host=a;host=b', 'x-forwarded-host': 'ok.example' }),
    { host: 'ok.example' },
  )
  // repeated headers count as one list
  assert.deepEqual(forwardedOrigin({ forwarded: ['proto=https', 'proto=http'] }), {
    proto: 'https',
  })
})
