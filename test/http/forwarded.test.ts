import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, withServer, type TestServer } from '../helpers/server.js'
import { rawRequest, requestHead, type RawHeaders } from '../helpers/raw-http.js'
import { portOf } from './tus-client.js'

const ID = '[A-Za-z0-9_-]{22,}'

/** POSTs a creation over a raw socket (so Host is ours to choose); returns the Location. */
async function locationOf(s: TestServer, headers: RawHeaders, path = '/files'): Promise<string> {
  const port = portOf(s)
  const hasHost = headers.some(([name]) => name.toLowerCase() === 'host')
  const res = await rawRequest(
    port,
    requestHead('POST', path, [
      ...(hasHost ? [] : ([['Host', `127.0.0.1:${port}`]] as const)),
      ['Tus-Resumable', '1.0.0'],
      ['Upload-Length', '1'],
      ['Content-Length', '0'],
      ['Connection', 'close'],
      ...headers,
    ]),
  )
  assert.equal(res.status, 201, res.statusLine)
  const location = res.headers['location']
  assert.equal(location?.length, 1)
  return location?.[0] ?? ''
}

test('behind a proxy with Forwarded: host and proto come from it, default port stripped', async () => {
  await withServer({ respectForwardedHeaders: true }, async (s) => {
    const cases: Array<[string, RegExp]> = [
      ['for=192.0.2.60;proto=https;host=uploads.example.com', /^https:\/\/uploads\.example\.com/],
      ['host="uploads.example.com:443";proto=https', /^https:\/\/uploads\.example\.com\/files/],
      ['proto=http;host="uploads.example.com:80"', /^http:\/\/uploads\.example\.com\/files/],
      ['host="uploads.example.com:8443";proto=https', /^https:\/\/uploads\.example\.com:8443\//],
      ['Proto=HTTPS;Host=[2001:db8::1]', /^https:\/\/\[2001:db8::1\]\/files/],
      // only the first element counts
      ['host=a.example;proto=https, host=b.example;proto=http', /^https:\/\/a\.example\//],
    ]
    for (const [forwarded, expected] of cases) {
      const location = await locationOf(s, [['Forwarded', forwarded]])
      assert.match(location, expected, forwarded)
      assert.match(location, new RegExp(`/files/${ID}$`), forwarded)
    }
  })
})

test('behind a proxy with X-Forwarded-Host and X-Forwarded-Proto', async () => {
  await withServer({ respectForwardedHeaders: true }, async (s) => {
    const port = portOf(s)
    assert.match(
      await locationOf(s, [
        ['X-Forwarded-Host', 'uploads.example.com'],
        ['X-Forwarded-Proto', 'https'],
      ]),
      new RegExp(`^https://uploads\\.example\\.com/files/${ID}$`),
    )
    // proto only: the Host header stays
    assert.match(
      await locationOf(s, [['X-Forwarded-Proto', 'https']]),
      new RegExp(`^https://127\\.0\\.0\\.1:${port}/files/${ID}$`),
    )
    // a list: the first (the client-facing proxy) wins; default port stripped
    assert.match(
      await locationOf(s, [
        ['X-Forwarded-Host', 'uploads.example.com:443, internal.lan:8080'],
        ['X-Forwarded-Proto', 'https, http'],
      ]),
      new RegExp(`^https://uploads\\.example\\.com/files/${ID}$`),
    )
    // Forwarded wins over X-Forwarded-*
    assert.match(
      await locationOf(s, [
        ['Forwarded', 'host=a.example;proto=https'],
        ['X-Forwarded-Host', 'b.example'],
        ['X-Forwarded-Proto', 'http'],
      ]),
      new RegExp(`^https://a\\.example/files/${ID}$`),
    )
  })
})

test('X-Forwarded-Prefix is prepended to the path, also for a relative Location', async () => {
  const s = await startServer({ respectForwardedHeaders: true })
  try {
    assert.match(
      await locationOf(s, [
        ['X-Forwarded-Host', 'example.com'],
        ['X-Forwarded-Proto', 'https'],
        ['X-Forwarded-Prefix', '/api/v1/'],
      ]),
      new RegExp(`^https://example\\.com/api/v1/files/${ID}$`),
    )
    for (const bad of ['//evil.com', '/a/../b', 'relative', '/a b', 'https://evil.com']) {
      const location = await locationOf(s, [
        ['X-Forwarded-Host', 'example.com'],
        ['X-Forwarded-Prefix', bad],
      ])
      assert.match(location, new RegExp(`^http://example\\.com/files/${ID}$`), bad)
    }
  } finally {
    await s.close()
  }
  const rel = await startServer({ respectForwardedHeaders: true, relativeLocation: true })
  try {
    assert.match(
      await locationOf(rel, [['X-Forwarded-Prefix', '/api']]),
      new RegExp(`^/api/files/${ID}$`),
    )
    // `//evil.com` would make a relative Location point at another host
    assert.match(
      await locationOf(rel, [['X-Forwarded-Prefix', '//evil.com']]),
      new RegExp(`^/files/${ID}$`),
    )
  } finally {
    await rel.close()
  }
})

test('forwarded headers are ignored when the option is off (the default)', async () => {
  await withServer(async (s) => {
    const port = portOf(s)
    const location = await locationOf(s, [
      ['Forwarded', 'host=evil.example;proto=https'],
      ['X-Forwarded-Host', 'evil.example'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Prefix', '/evil'],
    ])
    assert.match(location, new RegExp(`^http://127\\.0\\.0\\.1:${port}/files/${ID}$`))
  })
})

test('host injection attempts are ignored: the next valid source is used', async () => {
  await withServer({ respectForwardedHeaders: true }, async (s) => {
    const port = portOf(s)
    const fallback = new RegExp(`^http://127\\.0\\.0\\.1:${port}/files/${ID}$`)
    const attempts: RawHeaders[] = [
      [['X-Forwarded-Host', 'evil.com/phish?']],
      [['X-Forwarded-Host', 'evil.com@good.com']],
      [['X-Forwarded-Host', 'evil.com:80:80']],
      [['X-Forwarded-Host', '"evil.com"']],
      [['Forwarded', 'host="evil.com/x"']],
      [['Forwarded', 'host="a b"']],
      [['Forwarded', 'host=a.example;host=b.example']],
      [['Forwarded', 'host="unterminated']],
      [['X-Forwarded-Proto', 'javascript']],
      [['X-Forwarded-Proto', 'ftp']],
      [['Forwarded', 'proto=gopher']],
    ]
    for (const headers of attempts) {
      assert.match(await locationOf(s, headers), fallback, JSON.stringify(headers))
    }
    // an invalid Forwarded host falls back to a valid X-Forwarded-Host
    assert.match(
      await locationOf(s, [
        ['Forwarded', 'host="evil.com/x"'],
        ['X-Forwarded-Host', 'good.example'],
      ]),
      new RegExp(`^http://good\\.example/files/${ID}$`),
    )
    // an invalid Host and no usable forwarded host: a relative Location
    assert.match(
      await locationOf(s, [
        ['Host', 'evil.com/x'],
        ['X-Forwarded-Host', 'also bad'],
      ]),
      new RegExp(`^/files/${ID}$`),
    )
  })
})

test('the Location works: a HEAD on it through the same proxy headers finds the upload', async () => {
  await withServer({ respectForwardedHeaders: true }, async (s) => {
    const location = await locationOf(s, [['X-Forwarded-Host', 'uploads.example.com']])
    const path = new URL(location).pathname
    const res = await fetch(`${s.origin}${path}`, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('upload-length'), '1')
  })
})
