/**
 * tus `concatenation` and `concatenation-unfinished` over real HTTP (checklist CC-01..CC-16,
 * CU-07): partial uploads, finals from relative and absolute URLs, repeats, the errors, a
 * final created before its parts are done, and the bytes on disk.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, withServer, type TestServer } from '../helpers/server.js'
import { waitFor } from '../helpers/requests.js'
import { createTusHandler, FileStore, type Upload } from '../../src/index.js'
import type { Capability } from '../../src/store.js'
import {
  OCTET,
  TUS,
  assertTusError,
  create,
  dataOf,
  head,
  idOf,
  patch,
  storeFiles,
} from './tus-client.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

/** POSTs a final upload; returns the raw response. */
function postFinal(s: TestServer, concat: string, extra: Record<string, string> = {}) {
  return fetch(s.endpoint, {
    method: 'POST',
    headers: { ...TUS, 'Upload-Concat': concat, ...extra },
  })
}

/** POSTs a final upload that must succeed; returns its absolute URL and id. */
async function createFinal(
  s: TestServer,
  concat: string,
  extra: Record<string, string> = {},
): Promise<{ url: string; id: string }> {
  const res = await postFinal(s, concat, extra)
  assert.equal(res.status, 201, await res.text())
  const location = res.headers.get('location')
  assert.ok(location)
  assert.equal(res.headers.get('upload-offset'), null, 'no Upload-Offset on a final POST')
  const url = new URL(location, s.origin).href
  return { url, id: idOf(url) }
}

/** Creates a partial upload holding `body` (complete unless `length` says more). */
async function partial(
  s: TestServer,
  body: string,
  length: number = body.length,
  extra: Record<string, string> = {},
): Promise<{ url: string; id: string; path: string }> {
  const part = await create(s, {
    'Upload-Concat': 'partial',
    'Upload-Length': String(length),
    ...extra,
  })
  if (body !== '') assert.equal((await patch(part.url, 0, body)).status, 204)
  return { ...part, path: new URL(part.url).pathname }
}

interface State {
  offset: string | null
  length: string | null
  defer: string | null
  concat: string | null
}

async function state(url: string): Promise<State> {
  const res = await head(url)
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('cache-control'), 'no-store')
  return {
    offset: res.headers.get('upload-offset'),
    length: res.headers.get('upload-length'),
    defer: res.headers.get('upload-defer-length'),
    concat: res.headers.get('upload-concat'),
  }
}

test('CC-01: OPTIONS advertises concatenation and concatenation-unfinished', async () => {
  await withServer(async (s) => {
    const res = await fetch(s.endpoint, { method: 'OPTIONS' })
    const extensions = res.headers.get('tus-extension')?.split(',') ?? []
    assert.ok(extensions.includes('concatenation'), String(extensions))
    assert.ok(extensions.includes('concatenation-unfinished'), String(extensions))
  })
})

test('CC-02..06, CC-08: hello + world from relative paths is `hello world` on disk', async () => {
  await withServer(async (s) => {
    const a = await partial(s, 'hello', 5, { 'Upload-Metadata': `filename ${b64('a.txt')}` })
    const b = await partial(s, ' world', 6, { 'Upload-Metadata': `filename ${b64('b.txt')}` })
    // CC-03: a partial says so, with its offset
    assert.deepEqual(await state(a.url), {
      offset: '5',
      length: '5',
      defer: null,
      concat: 'partial',
    })

    const final = await createFinal(s, `final;${a.path} ${b.path}`, {
      'Upload-Metadata': `filename ${b64('hello.txt')},kind`,
    })
    assert.deepEqual(await state(final.url), {
      offset: '11',
      length: '11',
      defer: null,
      concat: `final;/files/${a.id} /files/${b.id}`,
    })
    assert.equal((await dataOf(s, final.id)).toString(), 'hello world')

    // CC-08: the final has its own metadata, not the parts'
    const res = await head(final.url)
    const metadata = res.headers.get('upload-metadata') ?? ''
    assert.deepEqual(metadata.split(',').sort(), [`filename ${b64('hello.txt')}`, 'kind'])
    assert.deepEqual(
      { ...(await s.store.get(final.id)).metadata },
      {
        filename: 'hello.txt',
        kind: null,
      },
    )

    // the parts are still there, untouched
    assert.equal((await dataOf(s, a.id)).toString(), 'hello')
    assert.equal((await dataOf(s, b.id)).toString(), ' world')
    assert.equal((await state(b.url)).offset, '6')
    // no temporary file is left behind
    assert.deepEqual(
      (await storeFiles(s)).filter((f) => f.endsWith('.tmp')),
      [],
    )
  })
})

test('CC-04: absolute URLs in the list are accepted too', async () => {
  await withServer(async (s) => {
    const a = await partial(s, 'abc')
    const b = await partial(s, 'defg')
    assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+\/files\//)
    // any host: behind a proxy the public host is not the one the server sees
    const elsewhere = `https://uploads.example.com/files/${b.id}`
    const final = await createFinal(s, `final;${a.url} ${elsewhere} ${a.url}`)
    assert.equal(
      (await state(final.url)).concat,
      `final;/files/${a.id} /files/${b.id} /files/${a.id}`,
    )
    assert.equal((await dataOf(s, final.id)).toString(), 'abcdefgabc')
  })
})

test('CC-09: the same partial twice, and in a second final', async () => {
  await withServer(async (s) => {
    const a = await partial(s, 'hello')
    const twice = await createFinal(s, `final;${a.path} ${a.path}`)
    assert.deepEqual(await state(twice.url), {
      offset: '10',
      length: '10',
      defer: null,
      concat: `final;${a.path} ${a.path}`,
    })
    assert.equal((await dataOf(s, twice.id)).toString(), 'hellohello')

    const again = await createFinal(s, `final;${a.path}`)
    assert.equal((await dataOf(s, again.id)).toString(), 'hello')
    assert.equal((await dataOf(s, twice.id)).toString(), 'hellohello')
    assert.equal((await dataOf(s, a.id)).toString(), 'hello')
  })
})

test('CC-07: PATCH to a final is 403 and changes nothing; so is a body on the final POST (CU-07)', async () => {
  await withServer(async (s) => {
    const a = await partial(s, 'hello')
    const final = await createFinal(s, `final;${a.path}`)
    await assertTusError(await patch(final.url, 5, 'x'), 403, 'PATCH')
    await assertTusError(await patch(final.url, 0, 'x'), 403, 'PATCH')
    assert.equal((await dataOf(s, final.id)).toString(), 'hello')
    assert.equal((await state(final.url)).offset, '5')
    assert.equal((await dataOf(s, a.id)).toString(), 'hello')

    // creation-with-upload on a final: refused before anything is created
    const before = await storeFiles(s)
    const res = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Concat': `final;${a.path}`, 'Content-Type': OCTET },
      body: 'hello',
    })
    const body = await assertTusError(res, 403)
    assert.match(body, /final upload cannot be modified/)
    assert.equal(res.headers.get('location'), null)
    assert.deepEqual(await storeFiles(s), before)
  })
})

test('CC-12: unknown parts, non-partial parts and malformed lists are 400, nothing created', async () => {
  await withServer(async (s) => {
    const a = await partial(s, 'hello')
    const plain = await create(s, { 'Upload-Length': '3' })
    const final = await createFinal(s, `final;${a.path}`)
    const before = await storeFiles(s)
    const cases: Array<[string, RegExp]> = [
      [`final;${a.path} /files/AAAAAAAAAAAAAAAAAAAAAA`, /does not exist/],
      [`final;${a.path} ${new URL(plain.url).pathname}`, /not a partial upload/],
      [`final;${new URL(final.url).pathname}`, /not a partial upload/],
      ['final;', /malformed/],
      ['final', /malformed/],
      ['foo', /malformed/],
      [`final;${a.path}  ${a.path}`, /malformed/],
      [`final;/other/${a.id}`, /malformed/],
      [`final;/files/${a.id}/`, /malformed/],
      [`final;/files/..%2F${a.id}`, /malformed/],
      [`final;ftp://127.0.0.1/files/${a.id}`, /malformed/],
    ]
    for (const [concat, message] of cases) {
      const res = await postFinal(s, concat)
      assert.match(await assertTusError(res, 400), message, concat)
      assert.equal(res.headers.get('location'), null)
    }
    // a malformed partial marker too
    await assertTusError(await postFinal(s, 'partial;', { 'Upload-Length': '3' }), 400)
    assert.deepEqual(await storeFiles(s), before)
  })
})

test('CC-13: Upload-Length or Upload-Defer-Length on a final is 400', async () => {
  await withServer(async (s) => {
    const a = await partial(s, 'hello')
    const before = await storeFiles(s)
    for (const extra of [{ 'Upload-Length': '5' }, { 'Upload-Defer-Length': '1' }]) {
      const res = await postFinal(s, `final;${a.path}`, extra)
      assert.match(await assertTusError(res, 400), /takes its length from its parts/)
    }
    assert.deepEqual(await storeFiles(s), before)
  })
})

test('a final larger than maxSize is 413', async () => {
  await withServer({ maxSize: 8 }, async (s) => {
    const a = await partial(s, 'hello')
    const b = await partial(s, 'world')
    await assertTusError(await postFinal(s, `final;${a.path} ${b.path}`), 413)
    const ok = await createFinal(s, `final;${a.path}`)
    assert.equal((await dataOf(s, ok.id)).toString(), 'hello')
  })
})

test('CC-11: a final created before its parts finish completes once they do', async () => {
  const finished: Upload[] = []
  const s = await startServer({
    onUploadFinish: (_req, upload) => {
      finished.push(upload)
    },
  })
  try {
    const a = await partial(s, 'hel', 5)
    const b = await partial(s, '', 6)
    const final = await createFinal(s, `final;${a.path} ${b.path}`)
    // pending: the length is known, the offset is not shown
    assert.deepEqual(await state(final.url), {
      offset: null,
      length: '11',
      defer: null,
      concat: `final;${a.path} ${b.path}`,
    })
    assert.equal((await dataOf(s, final.id)).length, 0)
    await assertTusError(await patch(final.url, 0, 'x'), 403, 'PATCH')

    assert.equal((await patch(a.url, 3, 'lo')).status, 204)
    assert.equal((await state(final.url)).offset, null, 'still waiting for the second part')
    assert.equal((await patch(b.url, 0, ' world')).status, 204)

    // the PATCH that completed the last part wakes the final up, without any request to it
    await waitFor(
      async () => (await dataOf(s, final.id)).length === 11,
      5_000,
      'the final to be concatenated',
      10,
    )
    assert.equal((await dataOf(s, final.id)).toString(), 'hello world')
    assert.deepEqual(await state(final.url), {
      offset: '11',
      length: '11',
      defer: null,
      concat: `final;${a.path} ${b.path}`,
    })
    // CC-16: the finish hook ran once for the final, and it knew it was a final
    const finals = finished.filter((u) => u.id === final.id)
    assert.equal(finals.length, 1)
    assert.equal(finals[0]?.concat?.kind, 'final')
    assert.equal(finals[0]?.offset, 11)
  } finally {
    await s.close()
  }
})

test('CC-11 after a restart: the next HEAD of the final concatenates it', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-concat-'))
  try {
    const first = await startServer({}, { directory })
    let a: { url: string; id: string; path: string }
    let final: { url: string; id: string }
    try {
      a = await partial(first, 'hel', 5)
      final = await createFinal(first, `final;${a.path} ${a.path}`)
    } finally {
      await first.close()
    }
    // a new process knows nothing of the pending final
    const second = await startServer({}, { directory })
    try {
      const url = (u: string) => new URL(new URL(u).pathname, second.origin).href
      assert.equal((await patch(url(a.url), 3, 'lo')).status, 204)
      await new Promise((r) => setTimeout(r, 100))
      assert.equal((await dataOf(second, final.id)).length, 0, 'nothing happens without a HEAD')
      assert.deepEqual(await state(url(final.url)), {
        offset: '10',
        length: '10',
        defer: null,
        concat: `final;${a.path} ${a.path}`,
      })
      assert.equal((await dataOf(second, final.id)).toString(), 'hellohello')
    } finally {
      await second.close()
    }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
})

test('CC-14: a partial with a deferred length; the final learns its length later', async () => {
  await withServer(async (s) => {
    const a = await partial(s, 'hello')
    const b = await create(s, { 'Upload-Concat': 'partial', 'Upload-Defer-Length': '1' })
    assert.deepEqual(await state(b.url), {
      offset: '0',
      length: null,
      defer: '1',
      concat: 'partial',
    })
    const bPath = new URL(b.url).pathname
    const final = await createFinal(s, `final;${a.path} ${bPath}`)
    // neither a length nor an offset yet, and no Upload-Defer-Length: the client cannot set it
    assert.deepEqual(await state(final.url), {
      offset: null,
      length: null,
      defer: null,
      concat: `final;${a.path} ${bPath}`,
    })
    assert.equal((await patch(b.url, 0, ' wor')).status, 204)
    assert.equal((await patch(b.url, 4, '', { 'Upload-Length': '6' })).status, 204)
    assert.deepEqual(await state(final.url), {
      offset: null,
      length: '11',
      defer: null,
      concat: `final;${a.path} ${bPath}`,
    })
    assert.equal((await patch(b.url, 4, 'ld')).status, 204)
    assert.equal((await state(final.url)).offset, '11')
    assert.equal((await dataOf(s, final.id)).toString(), 'hello world')
  })
})

test('a final of empty parts is complete at once', async () => {
  await withServer(async (s) => {
    const a = await partial(s, '', 0)
    const final = await createFinal(s, `final;${a.path} ${a.path}`)
    assert.deepEqual(await state(final.url), {
      offset: '0',
      length: '0',
      defer: null,
      concat: `final;${a.path} ${a.path}`,
    })
  })
})

test('deleting a part leaves a finished final intact; a pending one never completes', async () => {
  await withServer(async (s) => {
    const a = await partial(s, 'hello')
    const done = await createFinal(s, `final;${a.path}`)
    const b = await partial(s, 'wor', 5)
    const pending = await createFinal(s, `final;${a.path} ${b.path}`)
    assert.equal((await fetch(a.url, { method: 'DELETE', headers: TUS })).status, 204)
    assert.equal((await dataOf(s, done.id)).toString(), 'hello')
    assert.equal((await state(done.url)).offset, '5')
    assert.equal((await patch(b.url, 3, 'ld')).status, 204)
    const after = await state(pending.url)
    assert.equal(after.offset, null)
    assert.equal(after.length, '10', 'known since creation')
    assert.equal((await dataOf(s, pending.id)).length, 0)
    // the final itself can be deleted
    assert.equal((await fetch(pending.url, { method: 'DELETE', headers: TUS })).status, 204)
  })
})

test('CC-15: a store without the capability answers 501 to Upload-Concat', async () => {
  class PlainStore extends FileStore {
    override readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
      'creation-defer-length',
      'termination',
    ])
  }
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-concat-'))
  const tus = createTusHandler(new PlainStore({ directory, fsync: false }))
  const server = createServer((req, res) => tus(req, res))
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const endpoint = `http://127.0.0.1:${port}/files`
    const options = await fetch(endpoint, { method: 'OPTIONS' })
    assert.doesNotMatch(options.headers.get('tus-extension') ?? '', /concatenation/)
    for (const concat of ['partial', 'final;/files/abc']) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { ...TUS, 'Upload-Concat': concat, 'Upload-Length': '3' },
      })
      await assertTusError(res, 501)
    }
    assert.deepEqual(await readdir(directory), [])
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await rm(directory, { recursive: true, force: true })
  }
})

test('behind a proxy that adds a prefix, part URLs carry it (respectForwardedHeaders)', async () => {
  await withServer({ respectForwardedHeaders: true }, async (s) => {
    const proxied = {
      'X-Forwarded-Host': 'uploads.example.com',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Prefix': '/api',
    }
    const res = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, ...proxied, 'Upload-Concat': 'partial', 'Upload-Length': '5' },
    })
    assert.equal(res.status, 201)
    const location = res.headers.get('location') ?? ''
    assert.match(location, /^https:\/\/uploads\.example\.com\/api\/files\//)
    const id = idOf(location)
    assert.equal((await patch(`${s.endpoint}/${id}`, 0, 'hello')).status, 204)

    // the public URL, as the client knows it, and the prefixed path are both accepted
    const final = await createFinal(s, `final;${location} /api/files/${id}`, proxied)
    assert.equal((await dataOf(s, final.id)).toString(), 'hellohello')
    const state = await head(`${s.endpoint}/${final.id}`, { ...TUS, ...proxied })
    assert.equal(state.headers.get('upload-concat'), `final;/api/files/${id} /api/files/${id}`)
    // the path the server itself sees still works too
    const direct = await createFinal(s, `final;/files/${id}`)
    assert.equal((await dataOf(s, direct.id)).toString(), 'hello')
  })
})
