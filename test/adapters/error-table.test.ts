/**
 * Every code of ERRORS, over real HTTP and through every adapter (node:http, Koa, Fastify,
 * web on @hono/node-server): its status, `text/plain; charset=utf-8`, and the body
 * `<code>: <reason>\n`; the same error answered to a HEAD has no body. A hook throws the
 * error the request names, so each code reaches the same error-writing path a real fault
 * takes; the 412s keep their `Tus-Version`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import Koa from 'koa'
import Fastify from 'fastify'
import {
  createTusHandler,
  ERRORS,
  type TusErrorCode,
  type TusHandlerOptions,
  type UploadStore,
} from '../../src/index.js'
import { tusError } from '../../src/store.js'
import { createTusMiddleware } from '../../src/adapters/koa.js'
import { createTusPlugin } from '../../src/adapters/fastify.js'
import { createWebHandler } from '../../src/adapters/web.js'
import { assertErrorBody, get, listen, tempStore, TUS } from './harness.js'
import { serveFetch } from '../helpers/serve-fetch.js'

const CODES = Object.keys(ERRORS) as TusErrorCode[]

/** Refuses every request with the error its `X-Error` header names. */
const options: TusHandlerOptions = {
  onIncomingRequest(req) {
    const code = req.headers['x-error']
    if (typeof code === 'string') throw tusError(code as TusErrorCode)
  },
}

interface Running {
  origin: string
  close(): Promise<void>
}

const adapters: Record<string, (store: UploadStore) => Promise<Running>> = {
  'node:http': async (store) => {
    const tus = createTusHandler(store, options)
    const server = await listen(createServer((req, res) => tus(req, res)))
    return { origin: server.origin, close: server.close }
  },
  Koa: async (store) => {
    const koa = new Koa()
    koa.use(createTusMiddleware(store, options))
    const server = await listen(createServer(koa.callback()))
    return { origin: server.origin, close: server.close }
  },
  Fastify: async (store) => {
    const fastify = Fastify()
    await fastify.register(createTusPlugin(store, options), { prefix: '/files' })
    const origin = await fastify.listen({ port: 0, host: '127.0.0.1' })
    return { origin, close: () => fastify.close() }
  },
  'web (Hono node-server)': async (store) => {
    const tus = createWebHandler(store, options)
    return serveFetch((request) => tus.handleRequest(request))
  },
}

for (const [name, start] of Object.entries(adapters)) {
  test(`${name}: every code of ERRORS is answered "<code>: <reason>" with its status`, async () => {
    const temp = await tempStore()
    const running = await start(temp.store)
    try {
      const endpoint = `${running.origin}/files`
      for (const code of CODES) {
        const headers = { ...TUS, 'Upload-Length': '1', 'X-Error': code }
        const res = await get(endpoint, { method: 'POST', headers })
        if (ERRORS[code].status === 412) assert.equal(res.headers.get('tus-version'), '1.0.0')
        await assertErrorBody(res, code)
        const head = await get(`${endpoint}/abc`, { method: 'HEAD', headers })
        assert.equal(head.status, ERRORS[code].status, `HEAD ${code}`)
        assert.equal(await head.text(), '', `HEAD ${code} has no body`)
      }
    } finally {
      await running.close()
      await temp.remove()
    }
  })
}
