/**
 * A response that Node's `writeHead` or the fetch API's `Headers` would refuse never takes the
 * process down, through every adapter: a hook's header value outside Latin-1 or `undefined`, a
 * hook's `TusError` with such headers, or a `Location` the app's URL made unsendable, is a
 * failure handed to the app (500), named in the error and the log; metadata keys that
 * `Upload-Metadata` cannot carry (a hook's, or a tampered info file's CR/LF) are left out of a
 * HEAD; an `onResponseError` replacement that cannot be sent answers the original error. After
 * each, the server still answers, and no promise rejection went unhandled.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { format } from 'node:util'
import createDebug from 'debug'
import { createTusHandler, TusError, type TusHandlerOptions } from '../../src/index.js'
import { writeNodeResponse } from '../../src/adapters/node/response.js'
import { ADAPTERS, get, listen, tempStore, TUS, type AdapterServer } from './harness.js'

const OCTET = 'application/offset+octet-stream'

// Guarded for the whole file: a response written from a promise callback that throws is an
// unhandled rejection, which ends a Node process.
const rejections: unknown[] = []
process.on('unhandledRejection', (reason) => void rejections.push(reason))

const b64 = (text: string): string => Buffer.from(text).toString('base64')

/** Creates a 3-byte upload with `metadata` and PATCHes its bytes. */
async function upload(
  endpoint: string,
  metadata?: string,
): Promise<{ location: string; patch: Response }> {
  const post = await get(endpoint, {
    method: 'POST',
    headers: { ...TUS, 'Upload-Length': '3', ...(metadata && { 'Upload-Metadata': metadata }) },
  })
  assert.equal(post.status, 201, await post.text())
  const location = post.headers.get('location') ?? ''
  const patch = await get(location, {
    method: 'PATCH',
    headers: { ...TUS, 'Content-Type': OCTET, 'Upload-Offset': '0' },
    body: 'abc',
  })
  return { location, patch }
}

/**
 * Asserts the answer of a failure: 500 with tuskit's body on node:http (no `next`), else the
 * app's 500 for the `TypeError` it was handed, whose message must match `reason`.
 */
async function assertFailure(
  server: AdapterServer,
  adapter: string,
  res: Response,
  reason: RegExp,
): Promise<void> {
  const text = await res.text()
  assert.equal(res.status, 500, text)
  if (adapter === 'node:http') {
    assert.equal(text, 'ERR_INTERNAL_SERVER_ERROR: internal server error\n')
    return
  }
  assert.equal(text, 'app error')
  const err = server.errors.shift()
  assert.ok(err instanceof TypeError, `a TypeError: ${String(err)}`)
  assert.match(err.message, reason)
}

/** The process is alive and well: the server answers, and nothing was left unhandled. */
async function assertAlive(server: AdapterServer, endpoint = `${server.origin}/files`) {
  const res = await get(endpoint, { method: 'OPTIONS' })
  assert.equal(res.status, 204)
  assert.deepEqual(rejections, [], 'no unhandled rejection')
  assert.deepEqual(server.errors, [], 'no other failure reached the app')
}

/** Runs `fn` with the `tuskit:handler` log captured. */
async function withLog(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = []
  const { log } = createDebug
  const namespaces = createDebug.disable()
  createDebug.enable('tuskit:handler')
  createDebug.log = (...args: unknown[]) => void lines.push(format(...args))
  try {
    await fn()
  } finally {
    createDebug.log = log
    createDebug.enable(namespaces)
  }
  return lines
}

interface Trigger {
  name: string
  options: TusHandlerOptions
  run(server: AdapterServer, adapter: string, directory: string): Promise<void>
}

const nameHeader: TusHandlerOptions = {
  onUploadFinish: (_req, finished) => ({
    headers: { 'X-Name': finished.metadata['filename'] as string },
  }),
}

const triggers: Trigger[] = [
  {
    name: 'onUploadFinish returns a header value outside Latin-1 (a file named 文件.txt): 500',
    options: nameHeader,
    async run(server, adapter) {
      const log = await withLog(async () => {
        const { location, patch } = await upload(
          `${server.origin}/files`,
          `filename ${b64('文件.txt')}`,
        )
        await assertFailure(server, adapter, patch, /^tuskit: .*response header X-Name.*U\+6587/)
        // The bytes stay stored, as after any failing onUploadFinish.
        const head = await get(location, { method: 'HEAD', headers: TUS })
        assert.equal(head.headers.get('upload-offset'), '3')
      })
      assert.ok(
        log.some((line) => line.includes('X-Name')),
        `a log line names the header: ${log.join('\n')}`,
      )
    },
  },
  {
    name: 'onUploadFinish returns an undefined header value (no filename): 500',
    options: nameHeader,
    async run(server, adapter) {
      const { patch } = await upload(`${server.origin}/files`)
      await assertFailure(server, adapter, patch, /^tuskit: .*response header X-Name.*undefined/)
    },
  },
  {
    name: "a hook's TusError carries header values Node refuses: 500",
    options: {
      onIncomingRequest(req) {
        const headers = { 'Retry-After': undefined, 'X-Why': 'a\r\nb' }
        const name = req.headers['x-bad'] as keyof typeof headers
        throw new TusError('ERR_SLOW_DOWN', 429, 'slow down', { [name]: headers[name] as string })
      },
    },
    async run(server, adapter) {
      for (const [name, reason] of [
        ['Retry-After', /^tuskit: .*response header Retry-After.*undefined/],
        ['X-Why', /^tuskit: .*response header X-Why.*U\+000D/],
      ] as const) {
        const res = await get(`${server.origin}/files`, {
          method: 'POST',
          headers: { ...TUS, 'Upload-Length': '1', 'X-Bad': name },
        })
        await assertFailure(server, adapter, res, reason)
      }
    },
  },
  {
    name: 'an info file whose metadata key holds CR/LF: HEAD answers without that key',
    options: {},
    async run(server, _adapter, directory) {
      const { location } = await upload(`${server.origin}/files`, `filename ${b64('a.txt')}`)
      const id = location.slice(location.lastIndexOf('/') + 1)
      const infoPath = join(directory, `${id}.json`)
      const info = JSON.parse(await readFile(infoPath, 'utf8')) as { metadata: object }
      info.metadata = { ...info.metadata, 'x\r\nSet-Cookie: a=b': 'v', 文件: 'w', n: 5 }
      // A new file, as an edit by another program would make: the store's cache sees it.
      await writeFile(`${infoPath}.edit`, JSON.stringify(info))
      await rename(`${infoPath}.edit`, infoPath)
      const head = await get(location, { method: 'HEAD', headers: TUS })
      assert.equal(head.status, 200)
      assert.equal(head.headers.get('upload-metadata'), `filename ${b64('a.txt')}`)
      assert.equal(head.headers.get('set-cookie'), null)
    },
  },
  {
    name: 'onUploadCreate sets metadata keys Upload-Metadata cannot carry: HEAD leaves them out',
    options: {
      onUploadCreate: () => ({
        metadata: { filename: 'a.txt', 'two words': 'x', 'line\nbreak': 'y', 文件: 'z' },
      }),
    },
    async run(server) {
      const { location, patch } = await upload(`${server.origin}/files`)
      assert.equal(patch.status, 204)
      const head = await get(location, { method: 'HEAD', headers: TUS })
      assert.equal(head.status, 200)
      assert.equal(head.headers.get('upload-metadata'), `filename ${b64('a.txt')}`)
    },
  },
  {
    name: 'onResponseError returns a replacement that cannot be sent: the original error',
    options: {
      onResponseError(req) {
        const replacements: Record<string, unknown> = {
          word: { status: 'teapot', body: 'x' },
          interim: { status: 103, body: 'x' },
          large: { status: 1000, body: 'x' },
          none: { status: 503 },
          object: { status: 503, body: { text: 'x' } },
          valid: { status: 503, body: 'try\r\nlater' },
        }
        return replacements[String(req.headers['x-case'])] as { status: number; body: string }
      },
    },
    async run(server) {
      for (const which of ['word', 'interim', 'large', 'none', 'object']) {
        const res = await get(`${server.origin}/files/no-such-upload`, {
          headers: { ...TUS, 'X-Case': which },
        })
        assert.equal(res.status, 404, which)
        assert.equal(await res.text(), 'ERR_UPLOAD_NOT_FOUND: upload not found\n', which)
      }
      const valid = await get(`${server.origin}/files/no-such-upload`, {
        headers: { ...TUS, 'X-Case': 'valid' },
      })
      assert.equal(valid.status, 503)
      assert.equal(await valid.text(), 'try later\n')
    },
  },
]

for (const [adapter, start] of Object.entries(ADAPTERS)) {
  for (const trigger of triggers) {
    test(`${adapter}: ${trigger.name}`, async () => {
      const temp = await tempStore()
      const server = await start(temp.store, trigger.options)
      try {
        await trigger.run(server, adapter, temp.directory)
        await assertAlive(server)
      } finally {
        await server.close()
        await temp.remove()
      }
    })
  }
}

test('node:http: a Location the app made unsendable (a decoded mount prefix) is a failure', async () => {
  const temp = await tempStore()
  const tus = createTusHandler(temp.store)
  const errors: unknown[] = []
  // A hand-made mount at /文件 that hands tuskit its decoded path as the original URL.
  const prefix = '/%E6%96%87%E4%BB%B6'
  const server = await listen(
    createServer((req, res) => {
      const url = req.url ?? '/'
      if (!url.startsWith(prefix)) return void res.writeHead(404).end()
      Object.assign(req, { originalUrl: decodeURIComponent(url), url: url.slice(prefix.length) })
      tus(req, res, (err) => {
        errors.push(err)
        res.writeHead(500).end('app error')
      })
    }),
  )
  const running: AdapterServer = { ...server, errors }
  try {
    const endpoint = `${server.origin}${prefix}/`
    const tusPost = await get(endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1' },
    })
    await assertFailure(
      running,
      'Express-like',
      tusPost,
      /^tuskit: .*response header Location.*U\+6587/,
    )
    // A draft creation fails at its 104 interim response, before the body is read.
    const draftPost = await get(endpoint, {
      method: 'POST',
      headers: { 'Upload-Draft-Interop-Version': '6', 'Upload-Complete': '?1' },
      body: 'x',
    })
    await assertFailure(running, 'Express-like', draftPost, /^tuskit: .*header Location.*U\+6587/)
    await assertAlive(running, endpoint)
  } finally {
    tus.close()
    await server.close()
    await temp.remove()
  }
})

test('node:http: a write Node refuses past the core check is answered 500, never an exit', async () => {
  // The last line behind the core's check: a response written without it.
  const server = await listen(
    createServer((req, res) => {
      res.setHeader('X-Set-Before', 'yes')
      writeNodeResponse(req, res, { status: 204, headers: { 'X-Name': '文件.txt' } })
    }),
  )
  try {
    for (const path of ['/a', '/b']) {
      const res = await get(`${server.origin}${path}`)
      assert.equal(res.status, 500)
      assert.equal(res.headers.get('x-name'), null)
      assert.equal(res.headers.get('x-set-before'), null, 'no header of the failed response')
      assert.equal(await res.text(), 'ERR_INTERNAL_SERVER_ERROR: internal server error\n')
    }
    assert.deepEqual(rejections, [])
  } finally {
    await server.close()
  }
})

test("node:http: an app's next that throws gets the request answered, never an exit", async () => {
  const temp = await tempStore()
  const tus = createTusHandler(temp.store, { path: '/files' })
  const server = await listen(
    createServer((req, res) =>
      tus(req, res, () => {
        throw new Error('the app fell over')
      }),
    ),
  )
  try {
    const res = await get(`${server.origin}/elsewhere`)
    assert.equal(res.status, 500)
    assert.equal(await res.text(), 'ERR_INTERNAL_SERVER_ERROR: internal server error\n')
    await assertAlive({ ...server, errors: [] })
  } finally {
    tus.close()
    await server.close()
    await temp.remove()
  }
})
