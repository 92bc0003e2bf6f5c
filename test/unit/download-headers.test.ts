import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  claimedType,
  contentDisposition,
  downloadHeaders,
  isInlineType,
  plainMediaType,
  sanitizeFilename,
} from '../../src/protocol/download-headers.js'
import type { Metadata } from '../../src/model/upload.js'

function meta(fields: Record<string, string | null>): Metadata {
  return Object.assign(Object.create(null) as Metadata, fields)
}

test('plainMediaType accepts exactly type/subtype, lower-cased', () => {
  assert.equal(plainMediaType('image/PNG'), 'image/png')
  assert.equal(plainMediaType(' text/plain '), 'text/plain')
  assert.equal(plainMediaType('application/vnd.ms-excel'), 'application/vnd.ms-excel')
  assert.equal(plainMediaType('image/svg+xml'), 'image/svg+xml')
  for (const bad of [
    'text/plain; charset=utf-8',
    'text/html\r\nX-Evil: 1',
    'text',
    '/plain',
    'text/',
    'te xt/plain',
    'text/plain/x',
    '',
    null,
    undefined,
  ]) {
    assert.equal(plainMediaType(bad), undefined, String(bad))
  }
})

test('only display-only types are inline', () => {
  for (const type of [
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
    'image/avif',
    'image/bmp',
    'audio/mpeg',
    'audio/ogg',
    'video/mp4',
    'video/webm',
    'text/plain',
    'application/pdf',
  ]) {
    assert.ok(isInlineType(type), type)
  }
  for (const type of [
    'text/html',
    'image/svg+xml',
    'application/xhtml+xml',
    'text/xml',
    'application/xml',
    'text/javascript',
    'application/javascript',
    'application/x-javascript',
    'text/css',
    'application/json',
    'application/octet-stream',
    'text/plain+html',
    'multipart/x-mixed-replace',
    'image/x-icon',
  ]) {
    assert.ok(!isInlineType(type), type)
  }
})

test('claimedType: filetype first, else the filename extension, else nothing', () => {
  assert.equal(claimedType(meta({ filetype: 'image/png', filename: 'x.html' })), 'image/png')
  assert.equal(claimedType(meta({ filetype: 'bogus', filename: 'x.jpg' })), 'image/jpeg')
  assert.equal(claimedType(meta({ filetype: null, filename: 'song.mp3' })), 'audio/mpeg')
  assert.equal(claimedType(meta({ filename: 'page.html' })), 'text/html')
  assert.equal(claimedType(meta({ filename: 'noext' })), undefined)
  assert.equal(claimedType(meta({})), undefined)
})

test('downloadHeaders: allow-listed types inline as themselves', () => {
  assert.deepEqual(downloadHeaders(meta({ filetype: 'image/png', filename: 'cat.png' })), {
    'Content-Type': 'image/png',
    'Content-Disposition': 'inline; filename="cat.png"',
  })
  assert.deepEqual(downloadHeaders(meta({ filename: 'notes.txt' })), {
    'Content-Type': 'text/plain',
    'Content-Disposition': 'inline; filename="notes.txt"',
  })
  assert.deepEqual(downloadHeaders(meta({ filetype: 'video/mp4' })), {
    'Content-Type': 'video/mp4',
    'Content-Disposition': 'inline',
  })
})

test('downloadHeaders: everything else is an octet-stream attachment', () => {
  const cases: Array<Record<string, string | null>> = [
    { filetype: 'text/html', filename: 'x.html' },
    { filename: 'x.html' },
    { filetype: 'image/svg+xml', filename: 'x.svg' },
    { filename: 'x.svg' },
    { filetype: 'application/xhtml+xml', filename: 'x.xhtml' },
    { filetype: 'text/xml' },
    { filetype: 'text/javascript', filename: 'a.js' },
    { filetype: 'text/plain; charset=utf-8', filename: 'x.html' },
    { filetype: 'application/zip', filename: 'a.zip' },
    {},
  ]
  for (const fields of cases) {
    const headers = downloadHeaders(meta(fields))
    assert.equal(headers['Content-Type'], 'application/octet-stream', JSON.stringify(fields))
    assert.match(headers['Content-Disposition'], /^attachment(;|$)/, JSON.stringify(fields))
  }
  assert.equal(downloadHeaders(meta({}))['Content-Disposition'], 'attachment')
})

test('sanitizeFilename removes quotes, backslashes, slashes, controls and bidi tricks', () => {
  assert.equal(sanitizeFilename('a"b.txt'), 'ab.txt')
  assert.equal(sanitizeFilename('a\\b/c.txt'), 'abc.txt')
  assert.equal(sanitizeFilename('x\r\nSet-Cookie: a=b.txt'), 'xSet-Cookie: a=b.txt')
  assert.equal(sanitizeFilename('nul\u0000\u007f\u0085.txt'), 'nul.txt')
  assert.equal(sanitizeFilename('evil\u202Egpj.exe'), 'evilgpj.exe')
  assert.equal(sanitizeFilename('  many   spaces\t.txt  '), 'many spaces.txt')
  assert.equal(sanitizeFilename('lone\ud800.txt'), 'lone.txt')
  assert.equal(sanitizeFilename('"\r\n"'), '')
  assert.equal([...sanitizeFilename('é'.repeat(500))].length, 200)
  assert.equal(sanitizeFilename('日本語.txt'), '日本語.txt')
})

test('contentDisposition: ASCII names are quoted as they are', () => {
  assert.equal(contentDisposition('attachment', 'report.pdf'), 'attachment; filename="report.pdf"')
  assert.equal(contentDisposition('inline', "it's (1).png"), 'inline; filename="it\'s (1).png"')
  assert.equal(contentDisposition('attachment'), 'attachment')
  assert.equal(contentDisposition('attachment', ''), 'attachment')
  assert.equal(contentDisposition('attachment', '"\\'), 'attachment')
})

test('contentDisposition: other names get an ASCII fallback and filename*', () => {
  assert.equal(
    contentDisposition('attachment', 'naïve café.txt'),
    `attachment; filename="na_ve caf_.txt"; filename*=UTF-8''na%C3%AFve%20caf%C3%A9.txt`,
  )
  assert.equal(
    contentDisposition('attachment', '😀.txt'),
    `attachment; filename="_.txt"; filename*=UTF-8''%F0%9F%98%80.txt`,
  )
  // `%` could be percent-decoded by a browser in the plain parameter
  assert.equal(
    contentDisposition('attachment', "100%'(x)*.txt"),
    `attachment; filename="100_'(x)*.txt"; filename*=UTF-8''100%25%27%28x%29%2A.txt`,
  )
})

test('contentDisposition never yields a header that can break out', () => {
  const nasty = [
    'a"; filename="evil.html',
    'x\r\nContent-Type: text/html\r\n\r\n<script>',
    'a\\"b',
    '\u0000\u0001\u001f',
    'ok\u2028line',
  ]
  for (const name of nasty) {
    const value = contentDisposition('attachment', name)
    assert.ok(!/[\r\n\0\u2028]/.test(value), JSON.stringify(value))
    assert.ok(/^[\x20-\x7e]*$/.test(value), `ASCII only: ${JSON.stringify(value)}`)
    // exactly the two quotes around the fallback name
    assert.equal((value.match(/"/g) ?? []).length, value.includes('filename=') ? 2 : 0)
    assert.ok(!value.includes('\\'))
  }
})
