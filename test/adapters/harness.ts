// Shared pieces of the framework adapter tests: a store in a temp folder, a listening server,
// the endpoint behind each adapter, a fetch-based tus round trip (POST, PATCH, HEAD, GET,
// DELETE) and a tus-js-client upload, both checking that Location is right under the mount
// point.
import assert from 'node:assert/strict'
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import connect from 'connect'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import {
  createTusHandler,
  ERRORS,
  FileStore,
  type TusErrorCode,
  type TusHandler,
  type TusHandlerOptions,
  type UploadStore,
} from '../../src/index.js'
import { createTusMiddleware } from '../../src/adapters/koa.js'
import { createTusPlugin } from '../../src/adapters/fastify.js'
import { createWebHandler } from '../../src/adapters/web.js'
import { startTusUpload } from '../fixtures/tus-upload.js'
import { serveFetch } from '../helpers/serve-fetch.js'

export const TUS = { 'Tus-Resumable': '1.0.0' } as const
const OCTET = 'application/offset+octet-stream'

/** A FileStore in a fresh temp folder. */
export interface TempStore {
  store: FileStore
  directory: string
  remove(): Promise<void>
}

export async function tempStore(): Promise<TempStore> {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-adapter-'))
  return {
    store: new FileStore({ directory, fsync: false }),
    directory,
    remove: () => rm(directory, { recursive: true, force: true }),
  }
}

/** Listens on 127.0.0.1 on a free port; returns the origin and a closer. */
export async function listen(server: Server): Promise<{ origin: string; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The endpoint served at `/files` through one adapter. */
export interface AdapterServer {
  origin: string
  /**
   * The failures tuskit handed to the app (`next(err)`, a throw, a rejection), which the app
   * answered with a 500 `app error`. node:http has no `next`: tuskit answers those itself.
   */
  errors: unknown[]
  close(): Promise<void>
}

type AppError = (err: unknown, req: IncomingMessage, res: ServerResponse, next: unknown) => void

/**
 * Mounts tuskit at /files in an Express or Connect app whose error handler records what
 * reaches it and answers 500.
 */
async function withAppErrors(
  app: { use(path: string, fn: TusHandler): unknown; use(fn: AppError): unknown } & RequestListener,
  store: UploadStore,
  options: TusHandlerOptions,
): Promise<AdapterServer> {
  const errors: unknown[] = []
  app.use('/files', createTusHandler(store, options))
  // Four parameters: how Express and Connect tell an error handler.
  app.use(((err, _req, res, _next) => {
    errors.push(err)
    res.writeHead(500).end('app error')
  }) as AppError)
  return { ...(await listen(createServer(app))), errors }
}

/** The endpoint at `/files` behind every adapter, each with the app's own error handling. */
export const ADAPTERS: Record<
  string,
  (store: UploadStore, options: TusHandlerOptions) => Promise<AdapterServer>
> = {
  'node:http': async (store, options) => {
    const tus = createTusHandler(store, options)
    const server = await listen(createServer((req, res) => tus(req, res)))
    return { ...server, errors: [] }
  },
  'Express 5': (store, options) => withAppErrors(express(), store, options),
  Connect: (store, options) => withAppErrors(connect(), store, options),
  Koa: async (store, options) => {
    const errors: unknown[] = []
    const koa = new Koa()
    koa.use(async (ctx, next) => {
      try {
        await next()
      } catch (err) {
        errors.push(err)
        ctx.status = 500
        ctx.body = 'app error'
      }
    })
    koa.use(createTusMiddleware(store, options))
    return { ...(await listen(createServer(koa.callback()))), errors }
  },
  Fastify: async (store, options) => {
    const errors: unknown[] = []
    const fastify = Fastify()
    fastify.setErrorHandler(async (err, _request, reply) => {
      errors.push(err)
      return reply.code(500).send('app error')
    })
    await fastify.register(createTusPlugin(store, options), { prefix: '/files' })
    const origin = await fastify.listen({ port: 0, host: '127.0.0.1' })
    return { origin, errors, close: () => fastify.close() }
  },
  'web (Hono node-server)': async (store, options) => {
    const errors: unknown[] = []
    const tus = createWebHandler(store, options)
    const server = await serveFetch(async (request) => {
      try {
        return await tus.handleRequest(request)
      } catch (err) {
        errors.push(err)
        return new Response('app error', { status: 500 })
      }
    })
    return { ...server, errors }
  },
}

/** A fetch with a bounded wait. */
export function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(10_000), ...init })
}

/** Asserts `url` answers 200 with a body matching `body`. */
export async function assertRoute(
  url: string,
  body: RegExp,
  init: RequestInit = {},
): Promise<void> {
  const res = await get(url, init)
  const text = await res.text()
  assert.equal(res.status, 200, `${url}: ${text}`)
  assert.match(text, body)
}

/**
 * A whole tus life cycle over fetch at `endpoint` (the creation URL): OPTIONS, POST (Location
 * must be `expectedBase/<id>`, absolute), two PATCHes, HEAD, GET of the bytes, DELETE, HEAD 404.
 * Returns the id and the stored bytes read before the DELETE.
 */
export async function fetchRoundTrip(
  endpoint: string,
  expectedBase: string,
  directory: string,
): Promise<string> {
  const options = await get(endpoint, { method: 'OPTIONS' })
  assert.equal(options.status, 204, await options.text())
  assert.equal(options.headers.get('tus-version'), '1.0.0')
  assert.equal(options.headers.get('tus-resumable'), '1.0.0')

  const data = Buffer.from('0123456789abcdef'.repeat(1000))
  const post = await get(endpoint, {
    method: 'POST',
    headers: {
      ...TUS,
      'Upload-Length': String(data.length),
      'Upload-Metadata': 'filename YS50eHQ=',
    },
  })
  assert.equal(post.status, 201, await post.text())
  assert.equal(post.headers.get('tus-resumable'), '1.0.0')
  assert.equal(post.headers.get('x-content-type-options'), 'nosniff')
  const location = post.headers.get('location') ?? ''
  const id = location.slice(location.lastIndexOf('/') + 1)
  assert.match(id, /^[A-Za-z0-9_-]{22,}$/)
  assert.equal(location, `${expectedBase}/${id}`, 'Location under the mount point')

  const half = 7000
  for (const [offset, end] of [
    [0, half],
    [half, data.length],
  ] as const) {
    const patch = await get(location, {
      method: 'PATCH',
      headers: { ...TUS, 'Content-Type': OCTET, 'Upload-Offset': String(offset) },
      body: data.subarray(offset, end),
    })
    assert.equal(patch.status, 204, await patch.text())
    assert.equal(patch.headers.get('upload-offset'), String(end))
  }
  // A wrong offset is a protocol error, answered by tuskit with its one-line body.
  const conflict = await get(location, {
    method: 'PATCH',
    headers: { ...TUS, 'Content-Type': OCTET, 'Upload-Offset': '3' },
    body: 'x',
  })
  assert.equal(conflict.status, 409)
  assert.equal(
    await conflict.text(),
    'ERR_OFFSET_MISMATCH: Upload-Offset does not match the current offset\n',
  )
  await assertErrorBodies(endpoint, location)

  const head = await get(location, { method: 'HEAD', headers: TUS })
  assert.equal(head.status, 200)
  assert.equal(head.headers.get('upload-offset'), String(data.length))
  assert.equal(head.headers.get('upload-length'), String(data.length))
  assert.deepEqual(await readFile(join(directory, id)), data)

  const download = await get(location)
  assert.equal(download.status, 200)
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), data)

  const del = await get(location, { method: 'DELETE', headers: TUS })
  assert.equal(del.status, 204, await del.text())
  const gone = await get(location, { method: 'HEAD', headers: TUS })
  assert.equal(gone.status, 404)
  return id
}

/**
 * Uploads `size` bytes with the real tus-js-client (in chunks) and checks the upload URL it
 * was given is `expectedBase/<id>` and the stored bytes match.
 */
export async function tusJsUpload(
  endpoint: string,
  expectedBase: string,
  directory: string,
  size = 300 * 1024,
): Promise<void> {
  const data = Buffer.alloc(size)
  for (let i = 0; i < size; i++) data[i] = (i * 31) & 0xff
  const run = startTusUpload(
    data,
    { endpoint, chunkSize: 64 * 1024, metadata: { filename: 'b.bin' } },
    { timeoutMs: 15_000 },
  )
  await run.done
  const url = run.upload.url ?? ''
  const id = url.slice(url.lastIndexOf('/') + 1)
  assert.equal(url, `${expectedBase}/${id}`)
  assert.deepEqual(await readFile(join(directory, id)), data)
  assert.ok(run.requests.filter((r) => r.method === 'PATCH').length >= 5, 'chunked PATCHes')
}

/**
 * The end of every mounted-app case: a path nobody serves is left to the app (404), then the
 * fetch round trip and, when `tusJs`, a tus-js-client upload at `origin + endpointPath`, with
 * upload URLs expected under it (its trailing slash dropped).
 */
export async function assertTusMounted(
  origin: string,
  endpointPath: string,
  directory: string,
  tusJs = false,
): Promise<void> {
  const endpoint = `${origin}${endpointPath}`
  const base = endpoint.replace(/\/$/, '')
  assert.equal((await get(`${origin}/nowhere`)).status, 404)
  await fetchRoundTrip(endpoint, base, directory)
  if (tusJs) await tusJsUpload(endpoint, base, directory)
}

/** Asserts an error answer: status, `text/plain`, and the body `<code>: <reason>\n`. */
export async function assertErrorBody(
  res: Response,
  code: TusErrorCode,
  reason: string | RegExp = ERRORS[code].message,
): Promise<void> {
  const text = await res.text()
  assert.equal(res.status, ERRORS[code].status, `${code}: ${text}`)
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8', code)
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)), code)
  assert.ok(text.startsWith(`${code}: `), `${code} first: ${JSON.stringify(text)}`)
  assert.ok(text.endsWith('\n') && !text.slice(0, -1).includes('\n'), 'one line')
  const rest = text.slice(code.length + 2, -1)
  if (typeof reason === 'string') assert.equal(rest, reason, code)
  else assert.match(rest, reason, code)
}

/**
 * Error bodies start with their code on every path of every adapter: creation, appends,
 * downloads, unknown uploads, methods, the too-large numbers and the IETF draft's text and
 * problem+json answers. `location` is a complete upload.
 */
export async function assertErrorBodies(endpoint: string, location: string): Promise<void> {
  const unknown = `${endpoint.replace(/\/$/, '')}/no-such-upload`
  const length = (n: string) => ({ ...TUS, 'Upload-Length': n })
  await assertErrorBody(
    await get(endpoint, { method: 'POST', headers: { 'Upload-Length': '1' } }),
    'ERR_MISSING_TUS_RESUMABLE',
  )
  await assertErrorBody(await get(endpoint, { method: 'POST', headers: TUS }), 'ERR_MISSING_LENGTH')
  await assertErrorBody(
    await get(endpoint, { method: 'POST', headers: length('9007199254740993') }),
    'ERR_UPLOAD_LENGTH_TOO_LARGE',
    'Upload-Length is too large (more than 9007199254740991)',
  )
  await assertErrorBody(
    await get(endpoint, { method: 'POST', headers: length('12a') }),
    'ERR_INVALID_UPLOAD_LENGTH',
  )
  await assertErrorBody(
    await get(endpoint, { method: 'PUT', headers: TUS }),
    'ERR_METHOD_NOT_ALLOWED',
  )
  await assertErrorBody(await get(unknown, { headers: TUS }), 'ERR_UPLOAD_NOT_FOUND')
  await assertErrorBody(
    await get(unknown, { method: 'DELETE', headers: TUS }),
    'ERR_UPLOAD_NOT_FOUND',
    'upload not found',
  )
  const offset = (n: string) => ({ ...TUS, 'Content-Type': OCTET, 'Upload-Offset': n })
  await assertErrorBody(
    await get(location, { method: 'PATCH', headers: offset('9007199254740993'), body: 'x' }),
    'ERR_OFFSET_TOO_LARGE',
  )
  await assertErrorBody(
    await get(location, { method: 'PATCH', headers: { ...TUS, 'Upload-Offset': '0' }, body: 'x' }),
    'ERR_INVALID_CONTENT_TYPE',
  )
  await assertErrorBody(
    await get(location, { headers: { Range: 'bytes=9007199254740993-' } }),
    'ERR_RANGE_NOT_SATISFIABLE',
  )
  // A HEAD answer has the status but no body.
  const head = await get(unknown, { method: 'HEAD', headers: TUS })
  assert.equal(head.status, 404)
  assert.equal(await head.text(), '')
  // The IETF draft: text errors as for tus, and the code in problem+json documents.
  const draft = { 'Upload-Draft-Interop-Version': '8' }
  await assertErrorBody(
    await get(endpoint, { method: 'POST', headers: { ...draft, 'Upload-Complete': 'yes' } }),
    'ERR_INVALID_UPLOAD_COMPLETE',
  )
  const mismatch = await get(location, {
    method: 'PATCH',
    headers: {
      ...draft,
      'Upload-Offset': '1',
      'Upload-Complete': '?0',
      'Content-Type': 'application/partial-upload',
    },
    body: 'x',
  })
  assert.equal(mismatch.status, 409)
  assert.equal(mismatch.headers.get('content-type'), 'application/problem+json')
  const problem = (await mismatch.json()) as Record<string, unknown>
  assert.equal(problem['code'], 'ERR_OFFSET_MISMATCH')
  assert.equal(
    problem['type'],
    'https://iana.org/assignments/http-problem-types#mismatching-upload-offset',
  )
}
