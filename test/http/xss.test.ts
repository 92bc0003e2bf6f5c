import { test } from 'node:test'
import assert from 'node:assert/strict'
import { withServer, type TestServer } from '../helpers/server.js'
import { rawRequest, requestHead } from '../helpers/raw-http.js'
import { create, metadata, patch, portOf } from './tus-client.js'

// A download is served from the upload server's origin, so an uploaded page that a browser
// would render could run script there (stored XSS). These tests pin the policy: only
// display-only types are inline and typed; everything else is an octet-stream attachment,
// and every download is sandboxed by CSP and nosniff.

const CSP = "default-src 'none'; sandbox"

async function upload(s: TestServer, body: string, meta: Record<string, string>): Promise<string> {
  const { url } = await create(s, {
    'Upload-Length': String(Buffer.byteLength(body)),
    'Upload-Metadata': metadata(meta),
  })
  assert.equal((await patch(url, 0, body)).status, 204)
  return url
}

function assertSandboxed(res: Response): void {
  assert.equal(res.headers.get('content-security-policy'), CSP)
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
}

function assertAttachment(res: Response, label: string): void {
  assert.equal(res.status, 200, label)
  assert.equal(res.headers.get('content-type'), 'application/octet-stream', label)
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment(;|$)/, label)
  assertSandboxed(res)
}

const HTML = '<script>alert(document.cookie)</script>'
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'

test('x.html with filetype text/html is an octet-stream attachment, never inline HTML', async () => {
  await withServer(async (s) => {
    const url = await upload(s, HTML, { filename: 'x.html', filetype: 'text/html' })
    const res = await fetch(url)
    assertAttachment(res, 'html')
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="x.html"')
    assert.equal(await res.text(), HTML, 'the bytes are unchanged')
  })
})

test('HTML by filename alone, or with a disguised filetype, is an attachment too', async () => {
  await withServer(async (s) => {
    const cases: Array<Record<string, string>> = [
      { filename: 'page.htm' },
      { filename: 'x.html', filetype: 'TEXT/HTML' },
      { filename: 'x.html', filetype: 'text/html; charset=utf-8' },
      { filename: 'x.xhtml', filetype: 'application/xhtml+xml' },
      { filename: 'x.xml', filetype: 'text/xml' },
      { filename: 'x.js', filetype: 'text/javascript' },
      { filename: 'x.js', filetype: 'application/javascript' },
      { filetype: 'text/html' },
      { filetype: 'text/plain\r\nContent-Type: text/html' },
    ]
    for (const meta of cases) {
      const res = await fetch(await upload(s, HTML, meta))
      await res.arrayBuffer()
      assertAttachment(res, JSON.stringify(meta))
    }
  })
})

test('SVG (by filetype or by name) is an attachment, not an inline image', async () => {
  await withServer(async (s) => {
    for (const meta of [
      { filename: 'x.svg', filetype: 'image/svg+xml' },
      { filename: 'logo.svg' },
      { filetype: 'image/svg+xml' },
    ]) {
      const res = await fetch(await upload(s, SVG, meta))
      assert.equal(await res.text(), SVG)
      assertAttachment(res, JSON.stringify(meta))
    }
  })
})

test('a png is inline image/png; audio, video, text and pdf are inline as themselves', async () => {
  await withServer(async (s) => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ filename: 'cat.png', filetype: 'image/png' }, 'image/png'],
      [{ filename: 'cat.png' }, 'image/png'],
      [{ filename: 'photo.jpg' }, 'image/jpeg'],
      [{ filetype: 'video/mp4', filename: 'clip.mp4' }, 'video/mp4'],
      [{ filetype: 'audio/mpeg' }, 'audio/mpeg'],
      [{ filename: 'notes.txt' }, 'text/plain'],
      [{ filename: 'doc.pdf' }, 'application/pdf'],
    ]
    for (const [meta, type] of cases) {
      const res = await fetch(await upload(s, 'bytes', meta))
      await res.arrayBuffer()
      assert.equal(res.headers.get('content-type'), type, JSON.stringify(meta))
      assert.match(res.headers.get('content-disposition') ?? '', /^inline(;|$)/)
      assertSandboxed(res)
    }
    const png = await fetch(await upload(s, 'x', { filename: 'cat.png', filetype: 'image/png' }))
    assert.equal(png.headers.get('content-disposition'), 'inline; filename="cat.png"')
  })
})

test('a filename with quotes, CR/LF and unicode gets a safe Content-Disposition', async () => {
  await withServer(async (s) => {
    const name = 'a"b\r\nSet-Cookie: x=1\\évil ☃.txt'
    const url = await upload(s, 'data', { filename: name, filetype: 'application/zip' })
    const port = portOf(s)
    // Read the raw header bytes: fetch would hide a broken header.
    const res = await rawRequest(
      port,
      requestHead('GET', new URL(url).pathname, [
        ['Host', `127.0.0.1:${port}`],
        ['Connection', 'close'],
      ]),
    )
    assert.equal(res.status, 200)
    assert.equal(res.headers['set-cookie'], undefined, 'no injected header')
    const cd = res.headers['content-disposition']
    assert.equal(cd?.length, 1)
    assert.equal(
      cd?.[0],
      `attachment; filename="abSet-Cookie: x=1_vil _.txt"; ` +
        `filename*=UTF-8''abSet-Cookie%3A%20x%3D1%C3%A9vil%20%E2%98%83.txt`,
    )
    assert.equal(res.body.toString(), 'data')
  })
})

test('a filename trying to close the quoted string cannot add parameters', async () => {
  await withServer(async (s) => {
    const url = await upload(s, HTML, { filename: 'x.txt"; filename="evil.html' })
    const res = await fetch(url)
    await res.arrayBuffer()
    const cd = res.headers.get('content-disposition') ?? ''
    assert.equal((cd.match(/"/g) ?? []).length, 2, cd)
    assert.equal(cd, 'attachment; filename="x.txt; filename=evil.html"')
    assertAttachment(res, 'quote')
  })
})
