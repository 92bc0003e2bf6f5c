import { test } from 'node:test'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { createTusHandler, FileStore } from '../../src/index.js'
import { startServer, withServer } from '../helpers/server.js'
import { rawRequest, requestHead } from '../helpers/raw-http.js'
import { assertTusError, create, head, patch, portOf, TUS } from './tus-client.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example.net'

const REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Origin',
  'X-Requested-With',
  'X-Request-ID',
  'X-HTTP-Method-Override',
  'Tus-Resumable',
  'Upload-Length',
  'Upload-Offset',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Upload-Checksum',
  'Upload-Complete',
  'Upload-Draft-Interop-Version',
  'Upload-Incomplete',
]

const RESPONSE_HEADERS = [
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Upload-Expires',
  'Upload-Complete',
  'Upload-Limit',
  'Upload-Draft-Interop-Version',
  'Content-Disposition',
  'Content-Range',
]

function list(value: string | null): string[] {
  return (value ?? '').split(',').map((h) => h.trim().toLowerCase())
}

function preflight(
  url: string,
  origin: string,
  method = 'PATCH',
  headers = 'tus-resumable,upload-offset,content-type',
): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': headers,
    },
  })
}

function assertExposes(res: Response, label: string): void {
  const exposed = list(res.headers.get('access-control-expose-headers'))
  for (const h of RESPONSE_HEADERS) assert.ok(exposed.includes(h.toLowerCase()), `${label}: ${h}`)
}

function assertNoCors(res: Response, label: string): void {
  for (const [name] of res.headers) {
    assert.ok(!name.startsWith('access-control-'), `${label}: unexpected ${name}`)
  }
}

test('preflight (default options): 204 with methods, every tus header and Max-Age', async () => {
  await withServer(async (s) => {
    const { url } = await create(s)
    for (const target of [s.endpoint, url]) {
      const res = await preflight(target, APP)
      assert.equal(res.status, 204)
      assert.equal(await res.text(), '')
      assert.equal(res.headers.get('access-control-allow-origin'), '*')
      assert.equal(res.headers.get('access-control-allow-credentials'), null)
      // PUT: creation in the IETF draft.
      assert.deepEqual(list(res.headers.get('access-control-allow-methods')).sort(), [
        'delete',
        'get',
        'head',
        'options',
        'patch',
        'post',
        'put',
      ])
      const allowed = list(res.headers.get('access-control-allow-headers'))
      for (const h of REQUEST_HEADERS) assert.ok(allowed.includes(h.toLowerCase()), h)
      assert.equal(res.headers.get('access-control-max-age'), '86400')
      // still the tus OPTIONS answer
      assert.equal(res.headers.get('tus-version'), '1.0.0')
    }
  })
})

test('default options: POST, PATCH, HEAD, GET and errors carry * and the expose list', async () => {
  await withServer(async (s) => {
    const origin = { Origin: APP }
    const post = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, ...origin, 'Upload-Length': '3' },
    })
    assert.equal(post.status, 201)
    const url = new URL(post.headers.get('location') ?? '', s.origin).href
    const responses: Array<[string, Response]> = [
      ['POST', post],
      ['PATCH', await patch(url, 0, 'abc', origin)],
      ['HEAD', await head(url, { ...TUS, ...origin })],
      ['GET', await fetch(url, { headers: origin })],
      ['409', await patch(url, 1, 'x', origin)],
      ['404', await head(`${s.endpoint}/AAAAAAAAAAAAAAAAAAAAAA`, { ...TUS, ...origin })],
      ['412', await fetch(url, { method: 'HEAD', headers: origin })],
      ['405', await fetch(s.endpoint, { method: 'PUT', headers: { ...TUS, ...origin } })],
    ]
    for (const [label, res] of responses) {
      await res.arrayBuffer()
      assert.equal(res.headers.get('access-control-allow-origin'), '*', label)
      assert.equal(res.headers.get('vary'), null, `${label}: * does not vary`)
      assert.equal(res.headers.get('access-control-allow-methods'), null, `${label}: no preflight`)
      assertExposes(res, label)
    }
    assert.deepEqual(
      responses.map(([, res]) => res.status),
      [201, 204, 200, 200, 409, 404, 412, 405],
    )
  })
})

test('default options: no CORS headers without Origin, except on GET (cacheable)', async () => {
  await withServer(async (s) => {
    const post = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '3' },
    })
    assert.equal(post.status, 201)
    const url = new URL(post.headers.get('location') ?? '', s.origin).href
    const plain: Array<[string, Response]> = [
      ['POST', post],
      ['PATCH', await patch(url, 0, 'abc')],
      ['HEAD', await head(url, TUS)],
      ['OPTIONS', await fetch(s.endpoint, { method: 'OPTIONS' })],
      ['404', await head(`${s.endpoint}/AAAAAAAAAAAAAAAAAAAAAA`, TUS)],
    ]
    for (const [label, res] of plain) {
      await res.arrayBuffer()
      assertNoCors(res, label)
      assert.equal(res.headers.get('vary'), null, `${label}: the same answer for every origin`)
    }
    const get = await fetch(url)
    assert.equal(await get.text(), 'abc')
    assert.equal(get.headers.get('access-control-allow-origin'), '*')
    assertExposes(get, 'GET')
  })
})

test('origins list: an allowed origin is echoed with Vary: Origin', async () => {
  await withServer({ cors: { origins: [APP, 'http://localhost:3000'] } }, async (s) => {
    const pre = await preflight(s.endpoint, APP, 'POST')
    assert.equal(pre.status, 204)
    assert.equal(pre.headers.get('access-control-allow-origin'), APP)
    assert.equal(pre.headers.get('vary'), 'Origin')
    assert.ok(pre.headers.get('access-control-allow-headers'))
    const post = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, Origin: APP, 'Upload-Length': '1' },
    })
    assert.equal(post.status, 201)
    assert.equal(post.headers.get('access-control-allow-origin'), APP)
    assert.equal(post.headers.get('vary'), 'Origin')
    assertExposes(post, 'POST')
    const local = await fetch(s.endpoint, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000' },
    })
    assert.equal(local.headers.get('access-control-allow-origin'), 'http://localhost:3000')
  })
})

test('origins list: another origin gets no CORS headers; its request is still processed', async () => {
  await withServer({ cors: { origins: [APP] } }, async (s) => {
    const pre = await preflight(s.endpoint, EVIL, 'POST')
    assert.equal(pre.status, 204, 'a refused preflight is a plain tus OPTIONS answer')
    assert.equal(pre.headers.get('tus-version'), '1.0.0')
    assertNoCors(pre, 'preflight')
    assert.equal(pre.headers.get('vary'), 'Origin')
    const post = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, Origin: EVIL, 'Upload-Length': '1' },
    })
    assert.equal(post.status, 201, 'processed normally: the browser withholds the answer')
    assertNoCors(post, 'POST')
    // no Origin at all (curl, servers): no CORS headers, Vary for caches
    const plain = await fetch(s.endpoint, { method: 'OPTIONS' })
    assertNoCors(plain, 'no Origin')
    assert.equal(plain.headers.get('vary'), 'Origin')
    // a look-alike origin is not on the list
    const alike = await preflight(s.endpoint, `${APP}.evil.net`)
    assertNoCors(alike, 'look-alike')
  })
})

test('origins function (async) decides per origin; a throwing one allows nothing', async () => {
  const seen: string[] = []
  const s = await startServer({
    cors: {
      origins: async (origin) => {
        seen.push(origin)
        await new Promise((r) => setTimeout(r, 1))
        if (origin === 'https://boom.example') throw new Error('boom')
        return origin.endsWith('.example.com')
      },
    },
  })
  try {
    const ok = await preflight(s.endpoint, APP)
    assert.equal(ok.headers.get('access-control-allow-origin'), APP)
    assert.equal(ok.headers.get('vary'), 'Origin')
    const no = await preflight(s.endpoint, EVIL)
    assertNoCors(no, 'refused')
    const boom = await preflight(s.endpoint, 'https://boom.example')
    assert.equal(boom.status, 204)
    assertNoCors(boom, 'throwing')
    assert.deepEqual(seen, [APP, EVIL, 'https://boom.example'])
  } finally {
    await s.close()
  }
})

test('credentials: the origin is echoed with Allow-Credentials and Vary: Origin', async () => {
  await withServer({ cors: { origins: [APP], credentials: true, maxAge: 600 } }, async (s) => {
    const pre = await preflight(s.endpoint, APP, 'POST')
    assert.equal(pre.headers.get('access-control-allow-origin'), APP)
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true')
    assert.equal(pre.headers.get('access-control-max-age'), '600')
    assert.equal(pre.headers.get('vary'), 'Origin')
    const { url } = await create(s)
    const res = await patch(url, 0, 'abc', { Origin: APP })
    assert.equal(res.status, 204)
    assert.equal(res.headers.get('access-control-allow-origin'), APP)
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true')
    assert.equal(res.headers.get('vary'), 'Origin')
    const evil = await patch(url, 3, 'd', { Origin: EVIL })
    assert.equal(evil.status, 204)
    assertNoCors(evil, 'other origin')
  })
})

test('extra allowHeaders and exposeHeaders are added to the built-in lists', async () => {
  const s = await startServer({
    cors: { allowHeaders: ['X-Api-Key', 'tus-resumable'], exposeHeaders: ['X-Trace'] },
  })
  try {
    const pre = await preflight(s.endpoint, APP)
    const allowed = list(pre.headers.get('access-control-allow-headers'))
    assert.ok(allowed.includes('x-api-key'))
    assert.equal(allowed.filter((h) => h === 'tus-resumable').length, 1, 'no duplicates')
    const exposed = list(pre.headers.get('access-control-expose-headers'))
    assert.ok(exposed.includes('x-trace'))
    assert.ok(exposed.includes('upload-offset'))
  } finally {
    await s.close()
  }
})

test('cors: false sends no CORS headers at all', async () => {
  await withServer({ cors: false }, async (s) => {
    const pre = await preflight(s.endpoint, APP)
    assert.equal(pre.status, 204)
    assertNoCors(pre, 'preflight')
    assert.equal(pre.headers.get('vary'), null)
    const { url } = await create(s)
    const res = await patch(url, 0, 'x', { Origin: APP })
    assertNoCors(res, 'PATCH')
    const err = await head(`${s.endpoint}/AAAAAAAAAAAAAAAAAAAAAA`, { ...TUS, Origin: APP })
    await assertTusError(err, 404, 'HEAD')
    assertNoCors(err, '404')
  })
})

test('CORS headers reach the wire once, on a raw preflight', async () => {
  await withServer({ cors: { origins: [APP] } }, async (s) => {
    const port = portOf(s)
    const res = await rawRequest(
      port,
      requestHead('OPTIONS', '/files', [
        ['Host', `127.0.0.1:${port}`],
        ['Origin', APP],
        ['Access-Control-Request-Method', 'PATCH'],
        ['Access-Control-Request-Headers', `tus-resumable, upload-offset, content-type`],
        ['Connection', 'close'],
      ]),
    )
    assert.equal(res.status, 204)
    assert.deepEqual(res.headers['access-control-allow-origin'], [APP])
    assert.deepEqual(res.headers['vary'], ['Origin'])
    assert.equal(res.headers['content-type'], undefined)
  })
})

test('invalid cors options throw a TypeError at construction', () => {
  const store = new FileStore({ directory: join(tmpdir(), 'tuskit-cors-options') })
  const bad: unknown[] = [
    { origins: '*', credentials: true },
    { credentials: true },
    { origins: 'https://app.example.com' },
    { origins: ['not an origin'] },
    { origins: ['https://app.example.com/path'] },
    { origins: ['null'] },
    { origins: [42] },
    { credentials: 'yes' },
    { maxAge: -1 },
    { maxAge: 1.5 },
    { allowHeaders: 'X-Api-Key' },
    { allowHeaders: ['bad header'] },
    { exposeHeaders: ['X:y'] },
    true,
    'yes',
  ]
  for (const cors of bad) {
    assert.throws(
      () => createTusHandler(store, { cors: cors as false }),
      TypeError,
      JSON.stringify(cors),
    )
  }
  // valid ones
  createTusHandler(store, { cors: false })
  createTusHandler(store, { cors: {} })
  createTusHandler(store, { cors: { origins: ['HTTPS://APP.example.com/'], credentials: true } })
  createTusHandler(store, { cors: { origins: () => true, credentials: true, maxAge: 0 } })
})

test('an origin list matches case-insensitively and ignores a trailing slash in the option', async () => {
  await withServer({ cors: { origins: ['HTTPS://App.Example.com/'] } }, async (s) => {
    const res = await preflight(s.endpoint, APP)
    assert.equal(res.headers.get('access-control-allow-origin'), APP)
  })
})
